"""Our own CSV usage format, for storage systems without a dedicated importer.

A header row, then one row per sample::

    pool,quota_id,measured_at,used_bytes,file_count
    scratch,/lustre/scratch/nn1234k,2025-06-01T00:00:00Z,310 TB,4200000

Header names are case-insensitive and may come in any order; unknown columns are ignored. Optional
columns: ``physical_used_bytes``, ``file_count`` and the limits ``soft_limit_bytes`` and
``hard_limit_bytes``, which come as a pair: with both columns every row carries its limits (-1 or 2^64−1
meaning no limit; an empty cell is refused), without them the file says nothing about limits. Without a
``pool`` column (or with an empty cell) the pool comes from the import's ``--pool``. ``measured_at`` is
ISO 8601 and must carry a zone (any zone; stored in UTC). Capacities are byte counts or carry a unit
(``310 TB``, ``1.5 TiB``), read by :func:`inventory.units.parse_capacity`. See docs/formats.md. Lines are numbered from the header, line 1; the module is named ``csvfile`` so that it does not
shadow the standard library's ``csv``.
"""

from __future__ import annotations

import csv
import io

from inventory.importers.base import (
    MAX_BIGINT,
    UNSET_U64,
    FileError,
    ParseResult,
    Source,
    UsageRecord,
    at,
    check_duplicates,
    describe,
    file_error,
    read_text,
    sort_errors,
)
from inventory.moments import parse_moment
from inventory.units import CapacityError, parse_capacity

NAME = "csv"
LABEL = "CSV (pool, quota_id, measured_at, used_bytes, file_count)"

REQUIRED_COLUMNS = ("quota_id", "measured_at", "used_bytes")
OPTIONAL_COLUMNS = (
    "pool",
    "file_count",
    "physical_used_bytes",
    "soft_limit_bytes",
    "hard_limit_bytes",
)
LIMIT_COLUMNS = ("soft_limit_bytes", "hard_limit_bytes")
_UNSET = {"-1", str(UNSET_U64)}
NOT_CSV = "not a usage CSV file: "


def parse(source: Source, *, quota_trees: Source | None = None) -> ParseResult:
    """Read a usage CSV file. ``quota_trees`` is not used by this format."""
    result = ParseResult()
    try:
        text = read_text(source)
    except FileError as exc:
        return file_error(result, exc, NOT_CSV)
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        # Spreadsheets in many locales save "CSV" with semicolons; tab-separated exports happen too.
        delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        result.error("line 1", f"the header cannot be read: {exc}")
        return result
    if header is None or not any(cell.strip() for cell in header):
        result.error("", NOT_CSV + "the file is empty: expected a header row such as " + ",".join(REQUIRED_COLUMNS))
        return result
    columns = _columns(header, result)
    if columns is None:
        return result

    last_line = reader.line_num
    width = len(header)
    try:
        for row in reader:
            position = f"line {last_line + 1}"
            last_line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width and not (len(row) > width and not any(c.strip() for c in row[width:])):
                result.error(position, f"expected {width} fields as in the header, found {len(row)}")
                continue
            quota_id = _cell(row, columns, "quota_id")
            record = _record(row, columns, at(position, quota_id and f"quota_id {quota_id}"), result)
            if record is not None:
                result.records.append(record)
    except csv.Error as exc:
        result.error(f"line {reader.line_num}", f"the file cannot be read as CSV from here on: {exc}")
    check_duplicates(result)
    if not result.records and not result.errors:
        result.warn("", "the file holds no records")
    sort_errors(result)
    return result


def _columns(header: list[str], result: ParseResult) -> dict[str, int] | None:
    """Column name -> index, or None (with errors recorded) when the header lacks a required column."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip().lstrip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")
        if not name:
            continue
        if name in columns:
            result.error("line 1", f"column {name} appears twice in the header")
            return None
        columns[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.error(
            "line 1",
            f"{NOT_CSV}the header lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
            "expected pool,quota_id,measured_at,used_bytes,file_count",
        )
        return None
    limits = [name for name in LIMIT_COLUMNS if name in columns]
    if len(limits) == 1:
        other = next(name for name in LIMIT_COLUMNS if name not in limits)
        result.error(
            "line 1",
            f"column {limits[0]} without {other}: give both limit columns (-1 for no limit) or neither",
        )
        return None
    return columns


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None else ""


def _record(row: list[str], columns: dict[str, int], position: str, result: ParseResult) -> UsageRecord | None:
    before = len(result.errors)
    pool = _cell(row, columns, "pool") or None
    quota_id = _cell(row, columns, "quota_id")
    if not quota_id:
        result.error(position, "quota_id is empty")
    moment = None
    moment_text = _cell(row, columns, "measured_at")
    if not moment_text:
        result.error(position, "measured_at is empty")
    else:
        try:
            moment = parse_moment(moment_text)
        except ValueError as exc:
            result.error(position, f"measured_at {exc}")
    used = _capacity(row, columns, "used_bytes", position, result, required=True)
    physical = _capacity(row, columns, "physical_used_bytes", position, result)
    soft = _capacity(row, columns, "soft_limit_bytes", position, result, limit=True)
    hard = _capacity(row, columns, "hard_limit_bytes", position, result, limit=True)
    files = _count(row, columns, "file_count", position, result)
    reported = "hard_limit_bytes" in columns
    if soft is not None and hard is not None and soft > hard:
        result.error(position, f"soft_limit_bytes ({soft} B) is above hard_limit_bytes ({hard} B)")
    if len(result.errors) > before:
        return None
    return UsageRecord(
        position=position,
        pool=pool,
        quota_key=quota_id,
        measured_at=moment,
        used_bytes=used,
        physical_used_bytes=physical,
        file_count=files,
        soft_limit_bytes=soft,
        hard_limit_bytes=hard,
        limits_reported=reported,
    )


def _capacity(
    row: list[str],
    columns: dict[str, int],
    name: str,
    position: str,
    result: ParseResult,
    *,
    required: bool = False,
    limit: bool = False,
) -> int | None:
    text = _cell(row, columns, name)
    if not text:
        if required:
            result.error(position, f"{name} is empty")
        elif limit and name in columns:
            result.error(position, f"{name} is empty: write -1 for no limit")
        return None
    if limit and text in _UNSET:
        return None
    try:
        return parse_capacity(text)
    except CapacityError as exc:
        result.error(position, f"{name}: {exc}")
        return None


def _count(row: list[str], columns: dict[str, int], name: str, position: str, result: ParseResult) -> int | None:
    text = _cell(row, columns, name)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        value = int(text)
        if value > MAX_BIGINT:
            result.error(position, f"{name} {text} is too large: it does not fit a signed 64-bit integer")
            return None
        return value
    if text[:1] == "-" and text[1:].isdigit():
        result.error(position, f"{name} is negative ({text})")
    else:
        result.error(position, f"{name} must be a whole number, not {describe(text)}")
    return None
