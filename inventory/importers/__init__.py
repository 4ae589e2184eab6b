"""Parsers for the usage reports storage systems produce (described in docs/formats.md).

Each format module turns one file into :class:`~inventory.importers.base.UsageRecord` values in integer
bytes, with every unreadable record reported by position and reason. ``FORMATS`` names them for the import
command and the admin page; the import service (``inventory.services.usage_import``) matches records to
pools and allocations and stores them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inventory.importers import csvfile, lfs, oceanstor, pacific, xdmod
from inventory.importers.base import ParseResult, RecordError, RecordWarning, Source, UsageRecord

__all__ = ["FORMATS", "Format", "ParseResult", "RecordError", "RecordWarning", "UsageRecord", "get_format"]


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: how to parse it and what it leaves to the person importing it."""

    name: str
    label: str
    parse: Callable[..., ParseResult]
    #: Whether records name their pool; if not (or a record's pool is empty), the import needs ``--pool``.
    names_pool: bool
    #: Whether records carry their moment; if not, the import supplies one (``--measured-at``, default now).
    carries_moment: bool
    #: Whether a quota-trees file (OceanStor QUOTATREE response) can name the quotas.
    takes_quota_trees: bool = False

    def read(self, source: Source, *, quota_trees: Source | None = None) -> ParseResult:
        return self.parse(source, quota_trees=quota_trees)


FORMATS: dict[str, Format] = {
    "xdmod": Format(xdmod.NAME, xdmod.LABEL, xdmod.parse, names_pool=True, carries_moment=True),
    "lfs": Format(lfs.NAME, lfs.LABEL, lfs.parse, names_pool=False, carries_moment=False),
    "oceanstor": Format(
        oceanstor.NAME,
        oceanstor.LABEL,
        oceanstor.parse,
        names_pool=False,
        carries_moment=False,
        takes_quota_trees=True,
    ),
    "pacific": Format(pacific.NAME, pacific.LABEL, pacific.parse, names_pool=False, carries_moment=False),
    "csv": Format(csvfile.NAME, csvfile.LABEL, csvfile.parse, names_pool=True, carries_moment=True),
}


def get_format(name: str) -> Format:
    """The format called ``name``; KeyError lists the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}") from None
