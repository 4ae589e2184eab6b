"""What every usage-report parser produces: records, errors and warnings.

A parser turns one report file into :class:`UsageRecord` values in integer bytes, or says, for each record
it cannot read, where it is (``record 3``, ``line 14``) and why. Parsers never touch the database: matching
records to pools and allocations is the import service's job.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    """The file as a whole cannot be read (not JSON, an error envelope, ...)."""


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
    try:
        return read_bytes(source).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)") from exc


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


def parse_aware_moment(text: str) -> datetime:
    """An ISO 8601 moment that carries a zone, converted to UTC. Raises ValueError saying what is wrong."""
    candidate = text.strip()
    # Spellings people and tools write for UTC that fromisoformat does not read: "...z", "... UTC".
    if candidate[-1:] == "z":
        candidate = candidate[:-1] + "Z"
    elif candidate[-4:].upper() in (" UTC", " GMT"):
        candidate = candidate[:-4] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no time zone: write it with Z or an offset such as +00:00")
    return moment.astimezone(UTC)


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
        elif earlier.values == record.values:
            result.error(record.position, f"duplicates {earlier.position} ({duplicate_subject(record)})")
        else:
            result.error(record.position, f"conflicts with {earlier.position} ({duplicate_subject(record)})")
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
    result.errors.sort(key=lambda error: _position_order(error.position))


def _position_order(position: str) -> tuple[int, int]:
    _, _, number = position.rpartition(" ")
    return (1, int(number)) if number.isdigit() else (0, 0)


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
        raise FileError("the file is not UTF-8 encoded JSON") from exc
    except RecursionError as exc:
        raise FileError("the file is not valid JSON: nested too deeply") from exc
    finally:
        if enabled:
            gc.enable()
