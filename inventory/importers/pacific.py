"""Huawei OceanStor Pacific (scale-out) quota reports: ``GET /api/v2/file_service/fs_quota``.

An envelope ``{"data": [...], "result": {"code": 0, ...}}`` of quota records with snake_case fields and JSON
integer numbers. As with DeviceManager, ``quota_type`` 1 is a directory (dtree) quota, 2 and 3 user and
group quotas (skipped), and ``space_unit_type`` gives the unit of ``space_used``, ``space_soft_quota`` and
``space_hard_quota`` (0 B, 1 KiB, 2 MiB, 3 GiB).

Which key names the allocation: Pacific quota records identify their directory by ``parent_id`` (the dtree
or file system the quota is set on); some releases add its name (``parent_name``, ``dtree_name`` or
``name``). The record's ``quota_key`` is that name when present, else ``str(parent_id)``; the remaining
identifiers (``str(parent_id)``, then the quota's own ``str(id)``) are alternate keys the import service
tries in that order, so an allocation may carry whichever one the admin could see. The report carries no
moment: the import supplies it. Both limits are required in every directory quota (the sentinels say "no
limit"). See docs/formats.md.
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

NAME = "pacific"
LABEL = "Huawei OceanStor Pacific fs_quota (JSON)"
STATUS_KEYS = ("result",)
NOT_THIS = "not a Pacific fs_quota response: "
NAME_FIELDS = ("parent_name", "dtree_name", "name")


def parse(source: Source, *, quota_trees: Source | None = None) -> ParseResult:
    """Read an fs_quota response. ``quota_trees`` is not used by this format."""
    result = ParseResult()
    try:
        document = load_json(source)
    except FileError as exc:
        return file_error(result, exc, NOT_THIS)
    problem = huawei.wrong_kind(document, huawei.peek(document), family="Pacific", kind="fs_quota")
    if problem:
        result.error("", problem)
        return result
    try:
        items = huawei.unwrap(document, *STATUS_KEYS)
    except FileError as exc:
        return file_error(result, exc)
    for number, item in enumerate(items, 1):
        record = _record(item, _position(item, number), result)
        if record is not None:
            result.records.append(record)
    check_duplicates(result)
    if not result.records and not result.errors:
        result.warn("", "the file holds no directory quotas")
    sort_errors(result)
    return result


def _position(item: object, number: int) -> str:
    """``record 3 (ID 7)``: the record's own id, or its quota tree's, names it besides its position."""
    if isinstance(item, dict):
        for field in ("id", "parent_id"):
            value = item.get(field)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return at(f"record {number}", f"{field} {str(value).strip()}")
    return f"record {number}"


def _record(item: object, position: str, result: ParseResult) -> UsageRecord | None:
    if not isinstance(item, dict):
        result.error(position, f"is {json_type(item)}, not a JSON object")
        return None
    before = len(result.errors)
    kind = huawei.quota_type(item, "quota_type", position, result)
    if kind in huawei.OTHER_QUOTA_TYPES:
        result.warn(
            position,
            f"skipped {huawei.OTHER_QUOTA_TYPES[kind]} (quota_type {kind}): only directory quotas are allocations",
        )
        return None
    parent = huawei.identifier(item, "parent_id", position, result)
    own_id = huawei.identifier(item, "id", position, result, required=False)
    multiplier = huawei.unit_multiplier(item, "space_unit_type", position, result)
    scale = multiplier or 1
    used = huawei.integer(item, "space_used", position, result, multiplier=scale)
    soft = huawei.integer(item, "space_soft_quota", position, result, limit=True, multiplier=scale)
    hard = huawei.integer(item, "space_hard_quota", position, result, limit=True, multiplier=scale)
    files = huawei.integer(item, "file_used", position, result, required=False)
    if soft is not None and hard is not None and soft > hard:
        result.error(position, f"space_soft_quota ({soft} B) is above space_hard_quota ({hard} B)")
    if len(result.errors) > before or parent is None:
        return None

    keys: list[str] = []
    for name in NAME_FIELDS:
        if isinstance(item.get(name), str) and item[name].strip():
            keys.append(item[name].strip())
            break
    for candidate in (parent, own_id):
        if candidate is not None and candidate not in keys:
            keys.append(candidate)
    return UsageRecord(
        position=position,
        pool=None,
        quota_key=keys[0],
        measured_at=None,
        used_bytes=used,
        physical_used_bytes=None,
        file_count=files,
        soft_limit_bytes=soft,
        hard_limit_bytes=hard,
        limits_reported=True,
        alternate_keys=tuple(keys[1:]),
    )
