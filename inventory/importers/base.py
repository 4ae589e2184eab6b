"""What every usage-report parser produces: records, errors and warnings.

A parser turns one report file into :class:`UsageRecord` values in integer bytes, or says, for each record
it cannot read, where it is and which quota it is about (``record 3 (mountpoint /projects/nn1234k)``,
``line 14 (project 10001)``) and why. Parsers never touch the database: matching records to pools and
allocations is the import service's job. docs/formats.md describes every format.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, NamedTuple

#: The largest value a PostgreSQL ``bigint`` holds; larger numbers cannot be stored.
MAX_BIGINT = 2**63 - 1
#: "No limit" as storage systems write it (the largest unsigned 64-bit number).
UNSET_U64 = 2**64 - 1

#: What a parser accepts: raw bytes, text (or a string naming a file), a path, or an open (binary or text) file.
Source = bytes | str | os.PathLike | IO


class UsageRecord(NamedTuple):
    """One usage figure a report gives for one quota at one moment, in integer bytes.

    A named tuple rather than a dataclass because a million of them are built per XDMoD file: tuple
    construction is several times cheaper than a frozen dataclass's ``__init__``, and it is just as
    immutable.

    ``quota_key`` is what must equal the allocation's ``quota_id``. Some formats cannot tell for sure which
    identifier an admin typed into the allocation (a Pacific dtree's name or its numeric id, an OceanStor quota
    tree's name or its id); they put the preferred one in ``quota_key`` and the others, in order of
    preference, in ``alternate_keys``. The import service tries ``quota_key`` first, then each alternate: the
    first that names an allocation of the pool wins.

    ``pool`` is ``None`` when the format does not name the pool (the pool then comes from ``--pool``);
    ``measured_at`` is ``None`` when the format carries no moment (it then comes from ``--measured-at``).

    ``limits_reported`` says whether the record carried the quota's limits at all: when it did, a ``None``
    limit means the storage system reported "no limit" (an explicit sentinel); when it did not (XDMoD without
    thresholds, CSV without limit columns), the ``None`` limits say nothing about what the array enforces.
    """

    position: str
    pool: str | None
    quota_key: str
    measured_at: datetime | None
    used_bytes: int
    physical_used_bytes: int | None = None
    file_count: int | None = None
    soft_limit_bytes: int | None = None
    hard_limit_bytes: int | None = None
    limits_reported: bool = False
    alternate_keys: tuple[str, ...] = ()

    @property
    def quota_keys(self) -> tuple[str, ...]:
        """Every key the record may match, in the order they are tried."""
        return (self.quota_key, *self.alternate_keys)

    @property
    def values(self) -> tuple:
        """The measured figures, for telling an identical duplicate from a conflicting one."""
        return (
            self.used_bytes,
            self.physical_used_bytes,
            self.file_count,
            self.soft_limit_bytes,
            self.hard_limit_bytes,
        )


@dataclass(slots=True, frozen=True)
class RecordError:
    """Why one record (or, with an empty position, the whole file) cannot be imported."""

    position: str
    reason: str

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}" if self.position else self.reason


@dataclass(slots=True, frozen=True)
class RecordWarning:
    """Something worth telling the admin that does not stop the import (a skipped user quota, ...)."""

    position: str
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.message}" if self.position else self.message


@dataclass(slots=True)
class ParseResult:
    """Everything a parser read from one file. The file is importable only if ``errors`` is empty."""

    records: list[UsageRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, position: str, reason: str) -> None:
        self.errors.append(RecordError(position, reason))

    def warn(self, position: str, message: str) -> None:
        self.warnings.append(RecordWarning(position, message))


class FileError(Exception):
    """The file as a whole cannot be read (not JSON, an error envelope, ...); ``position`` where known."""

    def __init__(self, message: str, position: str = "") -> None:
        super().__init__(message)
        self.position = position


def file_error(result: ParseResult, exc: FileError, prefix: str = "") -> ParseResult:
    """Record a FileError on ``result`` and return the result.

    A file-wide problem gets ``prefix`` (what the file is not); one with a line (a byte that is not UTF-8)
    names the line instead.
    """
    result.error(exc.position, str(exc) if exc.position else f"{prefix}{exc}")
    return result


def undecodable(raw: bytes, exc: UnicodeDecodeError) -> FileError:
    """A FileError naming the line and column of the first byte that is not UTF-8."""
    start = exc.start
    line = raw.count(b"\n", 0, start) + 1
    column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    return FileError(
        f"not UTF-8 (byte 0x{raw[start]:02x} at column {column} cannot be decoded): save the report as UTF-8",
        f"line {line}",
    )


# --- reading the input ---------------------------------------------------------------------------------


def read_bytes(source: Source) -> bytes:
    """The raw content of ``source``, whatever form it was handed over in."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str):
        # A str is the content itself, unless it is a single line naming an existing file: report content
        # is never such a line, and callers naturally pass a path as a string.
        if "\n" not in source and 0 < len(source) < 4096 and os.path.isfile(source):
            with open(source, "rb") as handle:
                return handle.read()
        return source.encode("utf-8")
    if isinstance(source, os.PathLike):
        with open(source, "rb") as handle:
            return handle.read()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def read_text(source: Source) -> str:
    """The content of ``source`` as text: UTF-8 with or without a byte-order mark."""
    raw = read_bytes(source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        skipped = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        exc.start += skipped
        raise undecodable(raw, exc) from exc


def text_lines(source: Source) -> list[str]:
    """The lines of a text file, whatever its line endings (LF, CRLF, CR)."""
    return io.StringIO(read_text(source), newline=None).read().splitlines()


# --- values --------------------------------------------------------------------------------------------


def describe(value: object) -> str:
    """A short rendering of a bad value for an error message (JSON spelling for JSON literals)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a fractional number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def scale_decimal(text: str, multiplier: int) -> int:
    """``text`` (a decimal number) times ``multiplier``, rounded to the nearest byte, exactly."""
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a number") from exc
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return int((number * multiplier).to_integral_value(rounding=ROUND_HALF_UP))


def check_duplicates(result: ParseResult, records: list[UsageRecord] | None = None) -> None:
    """Turn every repeated (pool, quota key, moment) into an error naming the record it repeats.

    A report that says two things about the same quota at the same moment cannot be trusted, and even an
    identical repetition hints at a concatenation mistake, so both are refused; the message tells which.
    The repeated records are removed from ``result.records``.
    """
    seen: dict[tuple, UsageRecord] = {}
    kept: list[UsageRecord] = []
    for record in result.records if records is None else records:
        key = (record.pool, record.quota_key, record.measured_at)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = record
            kept.append(record)
        else:
            verb = "duplicates" if earlier.values == record.values else "conflicts with"
            result.error(record.position, f"{verb} {bare_position(earlier.position)} ({duplicate_subject(record)})")
    result.records = kept


def duplicate_subject(record: UsageRecord) -> str:
    """Which quota and moment a duplicate is about, for its error message."""
    parts = []
    if record.pool is not None:
        parts.append(f"pool {record.pool}")
    parts.append(f"quota {record.quota_key}")
    if record.measured_at is not None:
        parts.append(f"at {record.measured_at.isoformat().replace('+00:00', 'Z')}")
    return ", ".join(parts)


def sort_errors(result: ParseResult) -> None:
    """Errors in file order (duplicates are found after the per-record checks)."""
    result.errors.sort(key=lambda error: position_order(error.position))


_NUMBERED = re.compile(r"(?:quota-trees file )?(?:record|line) (\d+)")


def position_order(position: str) -> tuple[int, int]:
    """Sort key for positions: file-wide messages first, then records and lines in file order."""
    match = _NUMBERED.match(position)
    return (1, int(match[1])) if match else (0, 0)


def bare_position(position: str) -> str:
    """``record 3`` from ``record 3 (mountpoint /x)``: to refer back to a record already named."""
    return position.split(" (", 1)[0]


def at(position: str, identity: str | None) -> str:
    """A record's position with its own identity, as every message names it: ``record 3 (ID 7)``."""
    return f"{position} ({identity})" if identity else position


def load_json(source: Source) -> object:
    """The decoded JSON document in ``source``; raises FileError when it is not JSON.

    The garbage collector is paused while decoding: a million-record XDMoD file creates a million dicts, and
    the collector's repeated passes over them (which can never free anything mid-decode) almost double the
    time.
    """
    import gc
    import json

    raw = read_bytes(source)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FileError(f"the file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except UnicodeDecodeError as exc:
        raise undecodable(raw, exc) from exc
    except RecursionError as exc:
        raise FileError("the file is not valid JSON: nested too deeply") from exc
    finally:
        if enabled:
            gc.enable()
