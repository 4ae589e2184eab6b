"""Open XDMoD storage realm files: a JSON array of usage objects (XDMoD's ``usage.schema.json``).

Each object gives one (resource, mountpoint, moment): ``resource`` names the pool, ``mountpoint`` is the
allocation's quota identifier, ``dt`` the moment (RFC 3339 in UTC), and the figures are plain integers of
bytes. The thresholds (limits) are optional but come as a pair: a record with both carries its limits
(``-1`` or 2^64−1 meaning "no limit"), a record with neither says nothing about them. See docs/formats.md.
Files run to a million records, so well-formed records take a lean path (one dict lookup per field,
type and range checks in one expression, parsed moments cached per distinct ``dt`` string); only a record
that fails it goes through the slower path that explains every problem.
"""

from __future__ import annotations

import gc
from datetime import datetime
from operator import itemgetter

from inventory.importers.base import (
    MAX_BIGINT,
    UNSET_U64,
    FileError,
    ParseResult,
    Source,
    UsageRecord,
    at,
    bare_position,
    describe,
    duplicate_subject,
    file_error,
    json_type,
    load_json,
    sort_errors,
)
from inventory.moments import parse_moment

NAME = "xdmod"
LABEL = "Open XDMoD storage (JSON)"

#: Maximum lengths from XDMoD's schema.
TEXT_FIELDS = (("resource", 200), ("mountpoint", 255), ("user", 30), ("pi", 30))

#: The fields by which a JSON record is recognised as XDMoD's (a file whose first record has none is not).
KNOWN_FIELDS = ("resource", "mountpoint", "dt", "logical_usage")
NOT_XDMOD = "not an Open XDMoD storage file: "


def parse(source: Source, *, quota_trees: Source | None = None) -> ParseResult:
    """Read an XDMoD storage file. ``quota_trees`` is not used by this format."""
    result = ParseResult()
    try:
        data = load_json(source)
    except FileError as exc:
        return file_error(result, exc, NOT_XDMOD)
    problem = _not_xdmod(data)
    if problem:
        result.error("", NOT_XDMOD + problem)
        return result

    records = result.records
    append = records.append
    moments: dict[str, datetime | str] = {}
    seen: dict[tuple, UsageRecord] = {}
    biggest = MAX_BIGINT
    new_record = tuple.__new__
    required = itemgetter("resource", "mountpoint", "dt", "user", "pi", "logical_usage", "file_count")
    # Records and their keys are a million small objects that can never form cycles: pausing the garbage
    # collector while they are built saves it from traversing them again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        for number, item in enumerate(data, 1):
            record = None
            if type(item) is dict:
                try:
                    # One C call for the required fields; a missing one sends the record to _explain.
                    resource, mountpoint, dt, user, pi, used, files = required(item)
                except KeyError:
                    resource = None
                    dt = used = files = physical = soft = hard = None
                else:
                    get = item.get
                    physical = get("physical_usage")
                    soft = get("soft_threshold")
                    hard = get("hard_threshold")
                moment = moments.get(dt) if type(dt) is str else None
                if moment is None and type(dt) is str:
                    moment = moments[dt] = _parse_moment(dt)
                if (
                    type(moment) is datetime
                    and type(resource) is str
                    and type(mountpoint) is str
                    and type(user) is str
                    and type(pi) is str
                    and 0 < len(resource) <= 200
                    and 0 < len(mountpoint) <= 255
                    and 0 < len(user) <= 30
                    and 0 < len(pi) <= 30
                    and type(used) is int
                    and 0 <= used <= biggest
                    and type(files) is int
                    and 0 <= files <= biggest
                    and (physical is None or (type(physical) is int and 0 <= physical <= biggest))
                    and (
                        (soft is None and hard is None)
                        or (type(soft) is int and type(hard) is int and 0 <= soft <= hard <= biggest)
                    )
                ):
                    pool = resource.strip()
                    key = mountpoint.strip()
                    if pool and key:
                        # tuple.__new__ skips the named tuple's Python-level __new__: half the cost.
                        record = new_record(
                            UsageRecord,
                            (
                                f"record {number} (mountpoint {key})",
                                pool,
                                key,
                                moment,
                                used,
                                physical,
                                files,
                                soft,
                                hard,
                                hard is not None,
                                () if key[-1] != "/" else _alternates(key),
                            ),
                        )
            if record is None:
                record = _explain(item, number, moments, result)
                if record is None:
                    continue
            identity = (record.pool, record.quota_key, record.measured_at)
            earlier = seen.get(identity)
            if earlier is None:
                seen[identity] = record
                append(record)
            else:
                verb = "duplicates" if earlier.values == record.values else "conflicts with"
                result.error(record.position, f"{verb} {bare_position(earlier.position)} ({duplicate_subject(record)})")
    finally:
        if enabled:
            gc.enable()
    sort_errors(result)
    return result


def _not_xdmod(data: object) -> str | None:
    """Why ``data`` is not an XDMoD storage file (another system's JSON, an empty array), or None."""
    if isinstance(data, dict):
        if "data" in data and ("error" in data or "result" in data):
            return "this is an OceanStor REST response (an object with data and a status), not a JSON array"
        return "it is a JSON object, not an array of usage records"
    if not isinstance(data, list):
        return f"it is {json_type(data)}, not an array of usage records"
    if not data:
        return "the array holds no usage records"
    first = data[0]
    if isinstance(first, dict) and not any(name in first for name in KNOWN_FIELDS):
        return f"record 1 has none of the fields {', '.join(KNOWN_FIELDS)}"
    return None


def _alternates(key: str) -> tuple[str, ...]:
    """A mountpoint written with a trailing slash may be stored without one."""
    if len(key) > 1 and key[-1] == "/":
        return (key.rstrip("/"),)
    return ()


def _parse_moment(text: str) -> datetime | str:
    """The UTC moment ``text`` names, or the reason it is not an RFC 3339 UTC moment (cached per string)."""
    try:
        return parse_moment(text, utc_only=True)
    except ValueError as exc:
        return f"dt {exc}"


def _explain(item: object, number: int, moments: dict, result: ParseResult) -> UsageRecord | None:
    """Check a record that failed the fast path, recording every problem; the record if there is none."""
    position = f"record {number}"
    if not isinstance(item, dict):
        result.error(position, f"is {json_type(item)}, not a JSON object")
        return None
    mountpoint = item.get("mountpoint")
    if isinstance(mountpoint, str) and mountpoint.strip():
        position = at(position, f"mountpoint {mountpoint.strip()}")
    before = len(result.errors)
    texts = {}
    for name, longest in TEXT_FIELDS:
        texts[name] = _text(item, name, longest, position, result)
    moment = _moment(item, moments, position, result)
    files = _integer(item, "file_count", position, result, required=True, unit="files")
    used = _integer(item, "logical_usage", position, result, required=True)
    physical = _integer(item, "physical_usage", position, result, required=False)
    soft = _integer(item, "soft_threshold", position, result, required=False, limit=True)
    hard = _integer(item, "hard_threshold", position, result, required=False, limit=True)
    if soft is not None and hard is not None and soft > hard:
        result.error(position, f"soft_threshold {soft} is above hard_threshold {hard}")
    reported = [name for name in ("soft_threshold", "hard_threshold") if item.get(name) is not None]
    if len(reported) == 1:
        missing = "hard_threshold" if reported == ["soft_threshold"] else "soft_threshold"
        result.error(
            position,
            f"{reported[0]} without {missing}: a record carries both limits (-1 for no limit) or neither",
        )
    if len(result.errors) > before:
        return None
    key = texts["mountpoint"]
    return UsageRecord(
        position, texts["resource"], key, moment, used, physical, files, soft, hard, bool(reported), _alternates(key)
    )


def _text(item: dict, name: str, longest: int, position: str, result: ParseResult) -> str | None:
    if name not in item:
        result.error(position, f"missing required field {name}")
        return None
    value = item[name]
    if not isinstance(value, str):
        result.error(position, f"{name} must be a string, not {json_type(value)}")
        return None
    stripped = value.strip()
    if not stripped:
        result.error(position, f"{name} is empty")
        return None
    if len(value) > longest:
        result.error(position, f"{name} is {len(value)} characters long, the most XDMoD allows is {longest}")
        return None
    return stripped


def _moment(item: dict, moments: dict, position: str, result: ParseResult) -> datetime | None:
    if "dt" not in item:
        result.error(position, "missing required field dt")
        return None
    value = item["dt"]
    if not isinstance(value, str):
        result.error(position, f"dt must be an RFC 3339 string, not {json_type(value)}")
        return None
    moment = moments.get(value)
    if moment is None:
        moment = moments[value] = _parse_moment(value)
    if isinstance(moment, str):
        result.error(position, moment)
        return None
    return moment


def _integer(
    item: dict,
    name: str,
    position: str,
    result: ParseResult,
    *,
    required: bool,
    limit: bool = False,
    unit: str = "bytes",
) -> int | None:
    """A non-negative integer field; limits also accept the "no limit" sentinels (2^64−1, -1) as None."""
    value = item.get(name)
    if value is None:
        if required:
            result.error(position, f"missing required field {name}" if name not in item else f"{name} is null")
        return None
    what = "an integer number of bytes" if unit == "bytes" else "an integer"
    if isinstance(value, bool) or not isinstance(value, int):
        result.error(position, f"{name} must be {what}, not {json_type(value)} ({describe(value)})")
        return None
    if limit and value in (UNSET_U64, -1):
        return None
    if value < 0:
        result.error(position, f"{name} is negative ({value})")
        return None
    if value > MAX_BIGINT:
        result.error(position, f"{name} {value} is too large: it does not fit a signed 64-bit integer")
        return None
    return value
