"""The interface in English and Norwegian bokmål: the browser's Accept-Language picks one, the header's
switcher (Django's set_language view, the language cookie) overrides it; pages write numbers with the
language's decimal separator, CSV files and the API never do; every catalog is complete and compiled.
"""

from __future__ import annotations

import ast
import csv
import gettext
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from inventory.templatetags.capacity import capacity_title, localized_capacity, localized_percent
from tests.dashboard.conftest import build_estate, make_user

ROOT = Path(settings.BASE_DIR)
NB = {"HTTP_ACCEPT_LANGUAGE": "nb-NO,nb;q=0.9,en;q=0.5"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
#: A capacity as pages print it: "1.21 PB" in English, "1,21 PB" in bokmål.
CAPACITY = re.compile(r">(-?\d+)([.,])(\d+) (?:kB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)<")


@pytest.fixture
def estate(db):
    staff = make_user("stella", is_staff=True, is_superuser=True, first_name="Stella", last_name="Staff")
    built = build_estate(members=[staff])
    built.staff = staff
    return built


@pytest.fixture
def staff_client(estate):
    client = Client()
    client.force_login(estate.staff)
    return client


def _pages(estate) -> dict[str, str]:
    team, project, pool = estate.teams[0], estate.projects[0], estate.pools[0]
    return {
        "overview": "/",
        "me": "/me/",
        "teams": "/teams/",
        "team": team.get_absolute_url(),
        "projects": "/projects/",
        "project": project.get_absolute_url(),
        "storage": "/storage/",
        "array": f"/storage/{pool.array.slug}/",
        "pool": f"/storage/{pool.array.slug}/{pool.slug}/",
        "allocations": "/allocations/",
        "allocation": f"/allocations/{estate.allocations[0].pk}/",
        "institutions": "/institutions/",
        "search": "/search/?q=pool",
        "showback": "/reports/showback/",
        "requests": "/requests/",
    }


#: A few strings each page shows in bokmål (and must not show in English).
NORWEGIAN = {
    "overview": ["Oversikt", "Totalt for hele parken", "Brukbar", "Pooler som nærmer seg fulle"],
    "me": ["Dine tildelinger", "Dine forespørsler"],
    "teams": ["Alle team", "Last ned CSV", "Kvote brukt"],
    "team": ["Bruk over tid", "Per prosjekt", "Medlemmer"],
    "projects": ["Forskningsprosjekter", "Søk i prosjekter"],
    "project": ["Forespørsler om lagring", "Prosjektleder"],
    "storage": ["Alle lagringssystemer og poolene deres", "Dager til full"],
    "array": ["Tildelinger på dette lagringssystemet", "Kapasitet"],
    "pool": ["Tildelinger i denne poolen", "Største overtegning", "Dato (UTC)"],
    "allocations": ["Tildelinger", "Bruk rapportert"],
    "allocation": ["Historikk", "Håndhevet grense"],
    "institutions": ["Institusjoner"],
    "search": ["Søk"],
    "showback": ["Månedlig showback", "TB-måneder"],
    "requests": ["Forespørsler"],
}
ENGLISH = {
    "overview": ["Overview", "Fleet totals", "Usable", "Pools nearing full"],
    "teams": ["All teams", "Download CSV", "Quota used"],
    "pool": ["Allocations on this pool", "Maximum oversubscription", "Date (UTC)"],
    "showback": ["Monthly showback", "TB-months"],
}
#: The header's own strings, on every page.
HEADER_NB = ["Min side", "Logg ut", "Enheter: TB (desimale)", "Bytt språk", "Hopp til hovedinnholdet"]


@pytest.mark.django_db
def test_english_is_the_default_without_accept_language(staff_client):
    response = staff_client.get("/")
    html = response.content.decode()
    assert '<html lang="en-gb">' in html
    assert "<h1>Overview</h1>" in html and "Fleet totals" in html
    assert response["Content-Language"] == "en-gb"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_a_language_the_site_does_not_speak_falls_back_to_english(staff_client):
    html = staff_client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="en-gb">' in html and "<h1>Overview</h1>" in html


@pytest.mark.django_db
def test_accept_language_nb_renders_every_page_in_norwegian(estate, staff_client):
    for name, path in _pages(estate).items():
        response = staff_client.get(path, **NB)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        html = response.content.decode()
        assert '<html lang="nb">' in html, name
        assert response["Content-Language"] == "nb", name
        for text in NORWEGIAN[name] + HEADER_NB:
            assert text in html, f"{name} ({path}): {text!r} missing"


@pytest.mark.django_db
def test_accept_language_en_renders_english(estate, staff_client):
    pages = _pages(estate)
    for name, texts in ENGLISH.items():
        html = staff_client.get(pages[name], **EN).content.decode()
        assert '<html lang="en-gb">' in html, name
        for text in texts:
            assert text in html, f"{name}: {text!r} missing"
        for text in NORWEGIAN[name]:
            assert text not in html, f"{name}: Norwegian {text!r} in the English page"


@pytest.mark.django_db
def test_htmx_partials_follow_the_language(estate, staff_client):
    """A list's table swapped in by htmx is in the page's language (the request carries the same headers)."""
    html = staff_client.get("/teams/?sort=-used", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results", **NB)
    assert "Last ned CSV" in html.content.decode()


@pytest.mark.django_db
def test_the_header_offers_a_language_switcher_that_works_without_javascript(staff_client):
    html = staff_client.get("/teams/?sort=name", **EN).content.decode()
    form = re.search(r'<form method="post" action="/i18n/setlang/"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no language form in the header"
    body = form.group(1)
    assert 'name="csrfmiddlewaretoken"' in body
    assert '<input type="hidden" name="next" value="/teams/?sort=name">' in body
    assert '<select id="language-select" name="language">' in body
    assert '<option value="en-gb" lang="en-gb" selected>English</option>' in body
    assert '<option value="nb" lang="nb">Norsk bokmål</option>' in body
    assert '<button type="submit"' in body
    assert '<label for="language-select"' in body


@pytest.mark.django_db
def test_the_switcher_sets_the_cookie_and_overrides_the_browser_language(staff_client):
    response = staff_client.post("/i18n/setlang/", {"language": "nb", "next": "/teams/"}, **EN)
    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "nb"
    assert cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE
    assert cookie["samesite"] == "Lax"
    # The browser still asks for English: the cookie wins.
    html = staff_client.get("/teams/", **EN).content.decode()
    assert '<html lang="nb">' in html and "Alle team" in html
    assert '<option value="nb" lang="nb" selected>Norsk bokmål</option>' in html
    assert '<option value="en-gb" lang="en-gb">English</option>' in html, "each language is named in itself"
    # And back.
    staff_client.post("/i18n/setlang/", {"language": "en-gb", "next": "/teams/"}, **NB)
    html = staff_client.get("/teams/", **NB).content.decode()
    assert '<html lang="en-gb">' in html and "All teams" in html


@pytest.mark.django_db
def test_the_switcher_works_before_signing_in_and_refuses_other_sites(client):
    login = client.get("/accounts/login/", **NB).content.decode()
    assert "Logg inn" in login and 'action="/i18n/setlang/"' in login
    response = client.post("/i18n/setlang/", {"language": "en-gb", "next": "/accounts/login/"}, **NB)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "<h1>Log in</h1>" in client.get("/accounts/login/", **NB).content.decode()
    # "next" elsewhere is not followed (Django's set_language checks it like a login redirect).
    response = client.post("/i18n/setlang/", {"language": "nb", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_error_pages_follow_the_language(staff_client):
    html = staff_client.get("/teams/no-such-team/", **NB).content.decode()
    assert "Siden finnes ikke" in html and '<html lang="nb">' in html


# --- Numbers --------------------------------------------------------------------------------------


def test_capacity_and_percentages_use_the_languages_decimal_separator():
    with translation.override("nb"):
        assert localized_capacity(1_210_000_000_000_000) == "1,21 PB"
        assert localized_capacity(1_500 * 2**40, binary=True) == "1,46 PiB"
        assert localized_percent(85.25) == "85,3 %"
        assert capacity_title(1_210_000_000_000_000) == "1\xa0210\xa0000\xa0000\xa0000\xa0000 byte"
    with translation.override("en-gb"):
        assert localized_capacity(1_210_000_000_000_000) == "1.21 PB"
        assert localized_percent(85.25) == "85.3 %"
        assert capacity_title(1_210_000_000_000_000) == "1,210,000,000,000,000 bytes"
        assert capacity_title(1) == "1 byte"
    # Units and "no value" never change.
    with translation.override("nb"):
        assert localized_capacity(512) == "512 B"
        assert localized_capacity(None) == "—"


@pytest.mark.django_db
def test_pages_write_capacities_with_a_comma_in_norwegian_and_a_dot_in_english(estate, staff_client):
    for path in ("/", "/teams/", f"/storage/{estate.pools[0].array.slug}/{estate.pools[0].slug}/"):
        english = staff_client.get(path, **EN).content.decode()
        norwegian = staff_client.get(path, **NB).content.decode()
        english_numbers = CAPACITY.findall(english)
        norwegian_numbers = CAPACITY.findall(norwegian)
        assert english_numbers, path
        assert {sep for _, sep, _ in english_numbers} == {"."}, path
        assert {sep for _, sep, _ in norwegian_numbers} == {","}, path
        # The same figures, only the separator differs.
        assert [(whole, fraction) for whole, _, fraction in english_numbers] == [
            (whole, fraction) for whole, _, fraction in norwegian_numbers
        ], path
    norwegian = staff_client.get("/teams/", **NB).content.decode()
    assert re.search(r'class="bar-text num">\d+,\d %<', norwegian), "percentages with a comma"


@pytest.mark.django_db
def test_charts_keep_machine_readable_attributes_and_localize_their_labels(estate, staff_client):
    pool = estate.pools[0]
    html = staff_client.get(f"/storage/{pool.array.slug}/{pool.slug}/", **NB).content.decode()
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    # Coordinates and data attributes: dot decimals (SVG would misread a comma).
    for value in re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"', chart):
        assert "," not in value, value
    assert re.search(r'data-axis-max="\d+"', chart)
    # Labels people read: the tick labels and the value axis title in bokmål.
    assert "Brukt (fysisk)" in chart
    assert re.search(r">\d+(,\d+)? (TB|PB)</text>", chart)


def _body(response) -> str:
    """A download's text, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.django_db
def test_csv_downloads_keep_dot_decimals_in_norwegian(estate, staff_client):
    for path in ("/allocations/?format=csv", "/teams/?format=csv"):
        response = staff_client.get(path, **NB)
        assert response["Content-Type"].startswith("text/csv")
        text = _body(response)
        assert text == _body(staff_client.get(path, **EN)), "a CSV file does not depend on the language"
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows
        percents = [row["used_percent"] for row in rows if row.get("used_percent")]
        if percents:
            assert all(re.fullmatch(r"-?\d+\.\d+", value) for value in percents), percents
        # English column names, never translated.
        assert "," not in "".join(value for row in rows for key, value in row.items() if key.endswith("_bytes"))
    header = next(csv.reader(io.StringIO(_body(staff_client.get("/allocations/?format=csv", **NB)))))
    assert header[:3] == ["project_code", "team", "array"]


@pytest.mark.django_db
def test_showback_downloads_keep_dot_decimals_in_norwegian(estate, staff_client):
    english, norwegian = (
        b"".join(staff_client.get("/reports/showback/?format=csv", **language).streaming_content).decode()
        for language in (EN, NB)
    )
    assert english == norwegian
    assert "." in english.splitlines()[1]  # a figure with its decimals, written with a dot


@pytest.mark.django_db
def test_the_api_answers_the_same_in_every_language(estate, staff_client):
    for path in ("/api/v1/pools/", "/api/v1/allocations/"):
        english = staff_client.get(path, **EN)
        norwegian = staff_client.get(path, **NB)
        assert english.status_code == norwegian.status_code == 200
        assert english.json() == norwegian.json()


# --- Catalogs -------------------------------------------------------------------------------------


def _ours(path: Path) -> bool:
    """An app of this project, not a library installed in a virtualenv inside the checkout (.venv)."""
    return path.is_relative_to(ROOT) and not path.relative_to(ROOT).parts[0].startswith(".")


def _catalogs() -> list[Path]:
    """Every Norwegian catalog: the project's (LOCALE_PATHS) and the project's apps' own."""
    directories = [Path(path) for path in settings.LOCALE_PATHS]
    directories += [Path(app.path) / "locale" for app in apps.get_app_configs() if _ours(Path(app.path))]
    return sorted({path for directory in directories for path in directory.glob("*/LC_MESSAGES/*.po")})


def _read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n] and flags."""
    entries, entry, key = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([a-z_]+\)[sd]|%%", text))


def test_there_is_a_project_catalog():
    assert Path(settings.LOCALE_PATHS[0]) == ROOT / "locale"
    assert ROOT / "locale" / "nb" / "LC_MESSAGES" / "django.po" in _catalogs()
    # The apps with models, admin pages, e-mails or pages of their own carry their own catalogs.
    for app in ("inventory", "approvals", "notifications", "collection", "api"):
        assert ROOT / app / "locale" / "nb" / "LC_MESSAGES" / "django.po" in _catalogs(), app


@pytest.mark.parametrize("path", _catalogs(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    entries = _read_po(path)
    assert entries[0]["msgid"] == "" and "Language: nb" in entries[0]["msgstr"]
    problems = []
    for entry in entries[1:]:
        name = entry["msgid"][:60]
        if "fuzzy" in entry.get("flags", ()):
            problems.append(f"fuzzy: {name}")
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        if not translations or not all(translations):
            problems.append(f"untranslated: {name}")
            continue
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for source, translated in zip(sources * len(translations), translations, strict=False):
            # The plural form may leave out the count ("the latest change"), never add an unknown name.
            if not set(_placeholders(translated)) <= set(_placeholders(source) + _placeholders(sources[-1])):
                problems.append(f"placeholders differ: {name}")
    assert problems == []


@pytest.mark.parametrize("path", _catalogs(), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_compiled_catalog_matches_its_source(path):
    """The committed .mo holds exactly the .po's translations (run `make compilemessages` after editing)."""
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled.relative_to(ROOT)} missing: run make compilemessages"
    with compiled.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in _read_po(path)[1:]:
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            for name, value in entry.items():
                if name.startswith("msgstr["):
                    expected[(key, int(name[7:-1]))] = value
        else:
            expected[key] = entry["msgstr"]
    compiled_entries = {key: value for key, value in catalog.items() if key != ""}
    assert compiled_entries == expected
