"""What OceanStor DeviceManager and OceanStor Pacific responses have in common.

Both wrap their answer in an envelope with a status (``error`` for DeviceManager, ``result`` for Pacific)
whose non-zero ``code`` makes the whole response an error; both give quota sizes in a unit chosen per record
by a code (0 B, 1 KiB, 2 MiB, 3 GiB: binary multiples) and mark an unset limit with 2^64−1, -1 or
``INVALID_VALUE64``. Both also answer other requests (pools, file systems, the system itself) in the same
envelope: :func:`recognise` tells which one a file holds, so that the wrong file is refused by name rather
than with a list of missing fields. See docs/formats.md.
"""

from __future__ import annotations

from inventory.importers.base import (
    MAX_BIGINT,
    UNSET_U64,
    FileError,
    ParseResult,
    describe,
    json_type,
)

#: Quota size unit codes (``SPACEUNITTYPE`` / ``space_unit_type``) and the bytes each stands for.
UNIT_CODES = {0: 1, 1: 1024, 2: 1024**2, 3: 1024**3}
UNIT_NAMES = "0 (bytes), 1 (KiB), 2 (MiB), 3 (GiB)"

#: Quota types: only directory quotas (quota trees, dtrees) are allocations.
DIRECTORY_QUOTA = 1
OTHER_QUOTA_TYPES = {2: "a user quota", 3: "a group quota"}

_UNSET_TEXT = {"-1", str(UNSET_U64), "INVALID_VALUE64"}
NO_LIMIT_HINT = "18446744073709551615, -1 or INVALID_VALUE64 for no limit"

#: What each REST response's records look like, by fields only that response has (first match wins).
DEVICE_MANAGER_KINDS = (
    ("FS_QUOTA", ("SPACEUSED", "QUOTATYPE", "SPACEUNITTYPE")),
    ("system", ("MEMBERDISKSCAPACITY", "STORAGEPOOLCAPACITY", "STORAGEPOOLUSEDCAPACITY")),
    ("storagepool", ("USERTOTALCAPACITY", "USERCONSUMEDCAPACITY", "USAGETYPE")),
    ("filesystem", ("ALLOCCAPACITY", "AVAILABLECAPCITY", "CAPACITY")),
    ("QUOTATREE", ("NAME",)),
)
PACIFIC_KINDS = (("fs_quota", ("space_used", "quota_type", "space_unit_type")),)


def peek(document: object) -> list:
    """The records of ``document`` as far as they can be seen, without judging the envelope."""
    data = document.get("data") if isinstance(document, dict) else document
    if isinstance(data, dict):
        return [data] if data else []
    return data if isinstance(data, list) else []


def recognise(document: object, items: list) -> str | None:
    """Which storage-system response this is (``DeviceManager storagepool``, ...), or None if unknown.

    ``items`` are the records :func:`unwrap` took out of ``document``; the first one tells the kind.
    """
    if isinstance(document, dict) and "storagePools" in document:
        return "Pacific storagepool"
    first = items[0] if items else None
    if isinstance(first, dict):
        for family, kinds in (("Pacific", PACIFIC_KINDS), ("DeviceManager", DEVICE_MANAGER_KINDS)):
            for kind, fields in kinds:
                if any(field in first for field in fields):
                    return f"{family} {kind}"
    return None


def wrong_kind(document: object, items: list, *, family: str, kind: str) -> str | None:
    """Why ``document`` is not the ``family`` ``kind`` response the format reads, or None if it may be.

    Another response of the same systems is named (``this is a DeviceManager storagepool response, not
    FS_QUOTA``); anything else that cannot be that response says what is missing.
    """
    found = recognise(document, items)
    if found == f"{family} {kind}":
        return None
    if found is not None:
        wanted = kind if found.startswith(family) else f"{family} {kind}"
        return f"this is a {found} response, not {wanted}"
    other = "Pacific" if family == "DeviceManager" else "DeviceManager"
    other_status = "result" if other == "Pacific" else "error"
    own_status = "error" if other == "Pacific" else "result"
    if isinstance(document, dict) and other_status in document and own_status not in document:
        return f"this is an OceanStor {other} response (its status is under {other_status}), not {family} {kind}"
    expected = dict(DEVICE_MANAGER_KINDS if family == "DeviceManager" else PACIFIC_KINDS)[kind]
    if items:
        return f"not a {family} {kind} response: record 1 has none of the fields {', '.join(expected)}"
    if not isinstance(document, dict):
        return f"not a {family} {kind} response: an empty JSON array, not a response envelope"
    return None


def unwrap(document: object, *status_keys: str) -> list:
    """The records of a response envelope ``{"data": ..., "<status>": {"code": 0, ...}}``.

    Raises FileError when the envelope reports an error or is not an envelope. ``data`` may be a list or,
    for a single record, an object. A bare list (the ``data`` already taken out) is accepted as is.
    """
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise FileError(
            f"expected a response envelope (a JSON object with data and a status), not {json_type(document)}"
        )
    for key in status_keys:
        status = document.get(key)
        if status is None:
            continue
        if not isinstance(status, dict):
            raise FileError(f"the {key} member is {json_type(status)}, not an object with code and description")
        code = status.get("code", 0)
        if _nonzero(code):
            description = status.get("description") or status.get("message") or "no description"
            suggestion = status.get("suggestion")
            detail = f"{description} ({suggestion})" if suggestion else f"{description}"
            raise FileError(f"the storage system answered with error code {code}: {detail}")
        break
    if "data" not in document:
        raise FileError("the response has no data member")
    data = document["data"]
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise FileError(f"data is {json_type(data)}, expected a list of records or one record")


def _nonzero(code: object) -> bool:
    if isinstance(code, str):
        text = code.strip()
        return text not in ("", "0")
    return code not in (0, None)


def integer(
    record: dict,
    name: str,
    position: str,
    result: ParseResult,
    *,
    required: bool = True,
    limit: bool = False,
    multiplier: int = 1,
) -> int | None:
    """A non-negative integer field, times ``multiplier``; ``None`` for an absent optional field.

    DeviceManager sends numbers as strings of decimal digits, Pacific as JSON integers; either is accepted
    (firmware differs), nothing else: not fractions, booleans, or strings with units ("327.5 TB"). A limit of
    2^64−1, -1 or ``INVALID_VALUE64`` means "no limit" and gives ``None``; a missing or null limit is an
    error (only an explicit sentinel means no limit).
    """
    value = record.get(name)
    if value is None:
        if required:
            problem = f"missing required field {name}" if name not in record else f"{name} is null"
            result.error(position, f"{problem} ({NO_LIMIT_HINT})" if limit else problem)
        return None
    if isinstance(value, str):
        text = value.strip()
        if limit and text in _UNSET_TEXT:
            return None
        if text.isascii() and text.isdigit():
            number = int(text)
        elif text[:1] == "-" and text[1:].isascii() and text[1:].isdigit():
            result.error(position, f"{name} is negative ({text})")
            return None
        else:
            result.error(position, f"{name} must be a whole number written in digits, not {describe(value)}")
            return None
    elif isinstance(value, int) and not isinstance(value, bool):
        if limit and value in (UNSET_U64, -1):
            return None
        if value < 0:
            result.error(position, f"{name} is negative ({value})")
            return None
        number = value
    else:
        result.error(position, f"{name} must be an integer, not {json_type(value)} ({describe(value)})")
        return None
    number *= multiplier
    if number > MAX_BIGINT:
        result.error(position, f"{name} {value} is too large: it does not fit a signed 64-bit integer")
        return None
    return number


def unit_multiplier(record: dict, name: str, position: str, result: ParseResult) -> int | None:
    """The bytes per unit the record's unit code (``name``) stands for; an unknown code is an error."""
    if name not in record or record[name] is None:
        result.error(position, f"missing required field {name}")
        return None
    value = record[name]
    code: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        code = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        code = int(value.strip())
    if code not in UNIT_CODES:
        result.error(position, f"unknown {name} {describe(value)}: the known unit codes are {UNIT_NAMES}")
        return None
    return UNIT_CODES[code]


def quota_type(record: dict, name: str, position: str, result: ParseResult) -> int | None:
    """The record's quota type code (1 directory, 2 user, 3 group); an unknown or missing one is an error."""
    if name not in record or record[name] is None:
        result.error(position, f"missing required field {name}")
        return None
    value = record[name]
    code: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        code = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        code = int(value.strip())
    if code != DIRECTORY_QUOTA and code not in OTHER_QUOTA_TYPES:
        result.error(position, f"unknown {name} {describe(value)}: expected 1 (directory), 2 (user) or 3 (group)")
        return None
    return code


def identifier(record: dict, name: str, position: str, result: ParseResult, *, required: bool = True) -> str | None:
    """An identifier field (string or integer) as text."""
    value = record.get(name)
    if value is None:
        if required:
            result.error(position, f"missing required field {name}" if name not in record else f"{name} is null")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        result.error(position, f"{name} must be a string or an integer, not {json_type(value)}")
        return None
    text = str(value).strip()
    if not text:
        if required:
            result.error(position, f"{name} is empty")
        return None
    return text
