"""Huawei OceanStor DeviceManager quota reports: the ``FS_QUOTA`` REST response (Dorado, A-series).

Each directory quota (``QUOTATYPE`` 1) is one quota tree's usage; user (2) and group (3) quotas are not
allocations and are skipped with a warning. ``SPACEUNITTYPE`` gives the unit of ``SPACEUSED``,
``SPACESOFTQUOTA`` and ``SPACEHARDQUOTA`` (0 B, 1 KiB, 2 MiB, 3 GiB).

A quota record names its quota tree only by id (``PARENTID``). Allocations are keyed by something an admin
can read, so the import may be given the ``QUOTATREE`` response of the same file system too
(``--quota-trees``): the record's key is then the tree's ``NAME`` (with the tree id kept as an alternate
key). Without it, the key is the ``PARENTID`` itself. The report carries no moment: the import supplies it.
Both limits are required in every directory quota (the sentinels say "no limit"). See docs/formats.md.
"""

from __future__ import annotations

from inventory.importers import huawei
from inventory.importers.base import (
    FileError,
    ParseResult,
    Source,
    UsageRecord,
    at,
    check_duplicates,
    file_error,
    json_type,
    load_json,
    sort_errors,
)

NAME = "oceanstor"
LABEL = "Huawei OceanStor DeviceManager FS_QUOTA (JSON)"
STATUS_KEYS = ("error",)
NOT_THIS = "not a DeviceManager FS_QUOTA response: "


def parse(source: Source, *, quota_trees: Source | None = None) -> ParseResult:
    """Read an FS_QUOTA response; ``quota_trees`` is the optional QUOTATREE response naming the trees."""
    result = ParseResult()
    try:
        document = load_json(source)
    except FileError as exc:
        return file_error(result, exc, NOT_THIS)
    problem = huawei.wrong_kind(document, huawei.peek(document), family="DeviceManager", kind="FS_QUOTA")
    if problem:
        result.error("", problem)
        return result
    try:
        items = huawei.unwrap(document, *STATUS_KEYS)
    except FileError as exc:
        return file_error(result, exc)
    tree_names: dict[str, str] | None = None
    if quota_trees is not None:
        tree_names = read_quota_trees(quota_trees, result)
        if tree_names is None:
            return result

    for number, item in enumerate(items, 1):
        record = _record(item, _position(item, number), tree_names, result)
        if record is not None:
            result.records.append(record)
    check_duplicates(result)
    if not result.records and not result.errors:
        result.warn("", "the file holds no directory quotas")
    sort_errors(result)
    return result


def read_quota_trees(source: Source, result: ParseResult) -> dict[str, str] | None:
    """Quota tree id -> name from a QUOTATREE response; None (with errors recorded) if it is unreadable."""
    try:
        items = huawei.unwrap(load_json(source), *STATUS_KEYS)
    except FileError as exc:
        result.error("", f"quota-trees file: {exc}")
        return None
    names: dict[str, str] = {}
    failed = False
    for number, item in enumerate(items, 1):
        position = f"quota-trees file record {number}"
        if not isinstance(item, dict):
            result.error(position, f"is {json_type(item)}, not a JSON object")
            failed = True
            continue
        tree_id = huawei.identifier(item, "ID", position, result)
        name = huawei.identifier(item, "NAME", position, result)
        if tree_id is None or name is None:
            failed = True
            continue
        if names.get(tree_id, name) != name:
            result.error(position, f"quota tree {tree_id} is named both {names[tree_id]} and {name}")
            failed = True
            continue
        names[tree_id] = name
    return None if failed else names


def _position(item: object, number: int) -> str:
    """``record 3 (ID 7)``: the record's own id, or its quota tree's, names it besides its position."""
    if isinstance(item, dict):
        for field in ("ID", "PARENTID"):
            value = item.get(field)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return at(f"record {number}", f"{field} {str(value).strip()}")
    return f"record {number}"


def _record(item: object, position: str, tree_names: dict[str, str] | None, result: ParseResult):
    if not isinstance(item, dict):
        result.error(position, f"is {json_type(item)}, not a JSON object")
        return None
    before = len(result.errors)
    kind = huawei.quota_type(item, "QUOTATYPE", position, result)
    if kind in huawei.OTHER_QUOTA_TYPES:
        result.warn(
            position,
            f"skipped {huawei.OTHER_QUOTA_TYPES[kind]} (QUOTATYPE {kind}): only directory quotas are allocations",
        )
        return None
    parent = huawei.identifier(item, "PARENTID", position, result)
    multiplier = huawei.unit_multiplier(item, "SPACEUNITTYPE", position, result)
    scale = multiplier or 1
    used = huawei.integer(item, "SPACEUSED", position, result, multiplier=scale)
    soft = huawei.integer(item, "SPACESOFTQUOTA", position, result, limit=True, multiplier=scale)
    hard = huawei.integer(item, "SPACEHARDQUOTA", position, result, limit=True, multiplier=scale)
    files = huawei.integer(item, "FILEUSED", position, result, required=False)
    if soft is not None and hard is not None and soft > hard:
        result.error(position, f"SPACESOFTQUOTA ({soft} B) is above SPACEHARDQUOTA ({hard} B)")
    if len(result.errors) > before or parent is None:
        return None

    alternates: list[str] = []
    if tree_names is None:
        key = parent
        # Some firmware also names the tree in the quota record itself.
        parent_name = huawei.identifier(item, "PARENTNAME", position, result, required=False)
        if parent_name and parent_name != key:
            alternates.append(parent_name)
    else:
        if parent not in tree_names:
            result.error(position, f"quota tree {parent} (PARENTID) is not in the quota-trees file")
            return None
        key = tree_names[parent]
        if parent != key:
            alternates.append(parent)
    return UsageRecord(
        position=position,
        pool=None,
        quota_key=key,
        measured_at=None,
        used_bytes=used,
        physical_used_bytes=None,
        file_count=files,
        soft_limit_bytes=soft,
        hard_limit_bytes=hard,
        limits_reported=True,
        alternate_keys=tuple(alternates),
    )
