"""The Norwegian bokmål catalogs of the apps: every entry translated, none fuzzy, and the .mo is the .po compiled.

Read without gettext tools (they need not be installed where the tests run): the .po by a small reader of
what makemessages writes, the .mo through Python's own gettext, which is what Django loads.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("inventory", "approvals", "notifications", "collection", "api")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|\{\}")


def po_entries(path: Path) -> list[dict]:
    """Each entry of a .po file: its flags, msgid (and msgid_plural) and msgstr (msgstr[n])."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _space, text = line.partition(" ")
            entry[key] = ast.literal_eval(text)
    return entries


def catalog(app: str) -> tuple[Path, Path]:
    folder = ROOT / app / "locale" / "nb" / "LC_MESSAGES"
    return folder / "django.po", folder / "django.mo"


@pytest.mark.parametrize("app", APPS)
def test_every_entry_is_translated_and_none_is_fuzzy(app):
    po, _mo = catalog(app)
    header, *entries = po_entries(po)
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: nb\n" in header["msgstr"] and "charset=UTF-8" in header["msgstr"]
    assert len(entries) > 20
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        assert translations and all(text.strip() for text in translations), f"untranslated: {entry['msgid']!r}"
        # The same placeholders (named %-arguments, {}, %%) in every translation as in the English.
        expected = sorted(set(PLACEHOLDER.findall(entry.get("msgid_plural", entry["msgid"]))))
        for text in translations:
            assert sorted(set(PLACEHOLDER.findall(text))) == expected, (entry["msgid"], text)


@pytest.mark.parametrize("app", APPS)
def test_the_compiled_catalog_is_the_po_file(app):
    po, mo = catalog(app)
    assert mo.exists(), f"{mo} is missing: run manage.py compilemessages"
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for entry in po_entries(po)[1:]:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 5) == entry["msgstr[1]"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], f"{mo} is older than {po}: compile it"
