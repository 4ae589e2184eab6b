"""Store what one run read: observed capacities, usage through the usage import, and the reconciliation.

Everything here runs inside the run's one transaction (see ``collection.services.run``): a bad quota record
on any pool fails the run and nothing of it is written.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from collection.clients import Figures, QuotaTree, Snapshot
from collection.models import CapacityObservation, CollectionRun, ReconciliationItem
from collection.usage import import_pool_usage
from inventory.importers.base import UNSET_U64
from inventory.models import Allocation, StorageArray, StoragePool

Kind = ReconciliationItem.Kind
HARD_LIMIT_FIELD = {"oceanstor": "SPACEHARDQUOTA", "pacific": "space_hard_quota"}
TYPE_FIELD = {"oceanstor": "QUOTATYPE", "pacific": "quota_type"}
QUOTA_ID_FIELD = {"oceanstor": "ID", "pacific": "id"}


@dataclass(slots=True)
class Applied:
    """What applying a snapshot came to (the run row gets the counts; the command prints the rest)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reconciliation: list[ReconciliationItem] = field(default_factory=list)
    observations: list[CapacityObservation] = field(default_factory=list)
    added: int = 0
    skipped: int = 0


def apply_snapshot(
    *, run: CollectionRun, array: StorageArray, snapshot: Snapshot, moment: datetime.datetime, dry_run: bool, report
) -> Applied:
    """Match pools, import each matched pool's usage, and build observations and reconciliation items."""
    applied = Applied(warnings=list(snapshot.warnings))
    pools = list(StoragePool.objects.filter(array=array).only("id", "slug", "name", "system_name"))
    by_system_name = {pool.system_name: pool for pool in pools if pool.system_name}
    matched: dict[str, StoragePool] = {}  # the array's pool id -> our pool
    for figures in snapshot.pools:
        pool = by_system_name.get(figures.name)
        if pool is None:
            applied.reconciliation.append(
                _item(run, Kind.POOL_WITHOUT_MATCH, name=figures.name, id_on_system=figures.id,
                      detail="on the array, but no pool of this array has it as its name on the storage system")
            )  # fmt: skip
            continue
        matched[figures.id] = pool
        applied.observations.append(_observation(run, array, pool, figures, moment))
    seen_names = {figures.name for figures in snapshot.pools}
    for name, pool in by_system_name.items():
        if name not in seen_names:
            applied.reconciliation.append(
                _item(run, Kind.POOL_WITHOUT_MATCH, pool=pool, name=name, detail="the array has no pool of this name")
            )
    if snapshot.system is not None:
        applied.observations.append(_observation(run, array, None, snapshot.system, moment))

    allocations = _allocations(matched.values())
    trees_by_pool: dict[int, list[QuotaTree]] = defaultdict(list)
    for tree in snapshot.trees:
        pool = matched.get(tree.pool_id)
        if pool is not None:
            trees_by_pool[pool.id].append(tree)
    quotas_by_tree: dict[str, list[dict]] = defaultdict(list)
    for tree_id, record in snapshot.quotas:
        quotas_by_tree[tree_id].append(record)

    for pool in matched.values():
        _pool_usage(run, array, pool, trees_by_pool[pool.id], quotas_by_tree, allocations.get(pool.id, {}),
                    snapshot.kind, moment, dry_run, applied, report)  # fmt: skip
    return applied


def _allocations(pools) -> dict[int, dict[str, tuple]]:
    """Per pool: quota identifier -> (id, quota bytes, status) of every allocation (one query)."""
    result: dict[int, dict[str, tuple]] = defaultdict(dict)
    rows = Allocation.objects.filter(pool__in=[pool.id for pool in pools]).exclude(quota_id="")
    for allocation_id, pool_id, quota_id, quota_bytes, status in rows.values_list(
        "id", "pool_id", "quota_id", "quota_bytes", "status"
    ).order_by("id"):
        result[pool_id].setdefault(quota_id, (allocation_id, quota_bytes, status))
    return result


def _pool_usage(run, array, pool, trees, quotas_by_tree, allocations, kind, moment, dry_run, applied, report):
    """Reconcile one pool's trees with its allocations, then import the usage of the matched ones."""
    kept_trees, origin = _reconcile_pool(run, pool, trees, quotas_by_tree, allocations, kind, applied)
    if not origin:
        return
    report(f"importing {len(origin)} quota records of pool {pool.slug}")
    outcome = import_pool_usage(
        kind=kind,
        pool_slug=pool.slug,
        trees=kept_trees,
        quotas=[record for _tree, record in origin],
        measured_at=moment,
        file_name=f"collection of {array.slug} (run {run.pk}), pool {pool.slug}",
        dry_run=dry_run,
    )
    where = _position_names(origin, kind)
    applied.errors.extend(f"{array.slug}: {_renamed(str(error.position), where)}: {error.reason}" if error.position
                          else f"{array.slug}: pool {pool.slug}: {error.reason}" for error in outcome.errors)  # fmt: skip
    applied.warnings.extend(
        f"{array.slug}: {_renamed(warning.position, where)}: {warning.message}" for warning in outcome.other_warnings
    )
    for drift in outcome.drift:
        tree, _record = origin[_number(drift.position) - 1]
        applied.reconciliation.append(
            _item(run, Kind.LIMIT_DIFFERS, pool=pool, allocation_id=drift.allocation_id, name=tree.name,
                  id_on_system=tree.id, reported=drift.enforced_bytes, promised=drift.promised_bytes,
                  detail="the array's hard limit differs from the promised quota")
        )  # fmt: skip
    applied.added += outcome.added
    applied.skipped += outcome.skipped


def _reconcile_pool(run, pool, trees, quotas_by_tree, allocations, kind, applied):
    """Trees with no allocation and active allocations with no tree go to the report (not errors, unlike a
    file import); returns the matched trees and their quota records (with the tree of each) for the import.
    """
    kept_trees: list[QuotaTree] = []
    origin: list[tuple[QuotaTree, dict]] = []
    found: set[str] = set()
    for tree in trees:
        # The import's own order: the tree's name first, then its id.
        key = tree.name if tree.name in allocations else tree.id if tree.id in allocations else None
        if key is None:
            applied.reconciliation.append(
                _item(run, Kind.TREE_WITHOUT_ALLOCATION, pool=pool, name=tree.name, id_on_system=tree.id,
                      detail=f"file system {tree.file_system_id}: no allocation on pool {pool.slug} has this quota identifier")
            )  # fmt: skip
            continue
        found.add(key)
        kept_trees.append(tree)
        allocation_id, quota_bytes, _used = allocations[key]
        for record in quotas_by_tree.get(tree.id, ()):
            origin.append((tree, record))
            if _is_directory_quota(record, kind) and _unset(record.get(HARD_LIMIT_FIELD[kind])):
                applied.reconciliation.append(
                    _item(run, Kind.LIMIT_DIFFERS, pool=pool, allocation_id=allocation_id, name=tree.name,
                          id_on_system=tree.id, promised=quota_bytes, detail="the array enforces no hard limit")
                )  # fmt: skip
    for quota_id, (allocation_id, quota_bytes, status) in allocations.items():
        if status == Allocation.Status.ACTIVE and quota_id not in found:
            applied.reconciliation.append(
                _item(run, Kind.ALLOCATION_WITHOUT_TREE, pool=pool, allocation_id=allocation_id, name=quota_id,
                      promised=quota_bytes, detail=f"no quota tree named or numbered {quota_id} on the array")
            )  # fmt: skip
    return kept_trees, origin


def _is_directory_quota(record: dict, kind: str) -> bool:
    return str(record.get(TYPE_FIELD[kind], "")).strip() == "1"


def _unset(value) -> bool:
    return value is None or str(value).strip() in {str(UNSET_U64), "INVALID_VALUE64", "-1"}


def _position_names(origin: list[tuple[QuotaTree, dict]], kind: str) -> dict[str, str]:
    """``record N`` -> the quota tree and quota record by their own names and ids on the array."""
    id_field = QUOTA_ID_FIELD[kind]
    return {
        f"record {number}": f"quota tree {tree.name} (id {tree.id}), quota {record.get(id_field, '?')}"
        for number, (tree, record) in enumerate(origin, 1)
    }


# The import names a record "record N" followed by its own identity in the file, e.g. "record 3 (ID 7)".
_RECORD = re.compile(r"^record (\d+)\b")


def _renamed(position: str, where: dict[str, str]) -> str:
    match = _RECORD.match(position)
    return where.get(f"record {match.group(1)}", position) if match else position


def _number(position: str) -> int:
    return int(_RECORD.match(position).group(1))


def _item(
    run, kind, *, pool=None, allocation_id=None, name="", id_on_system="", reported=None, promised=None, detail=""
):
    return ReconciliationItem(
        run=run,
        kind=kind,
        pool=pool,
        allocation_id=allocation_id,
        name_on_system=name[:300],
        id_on_system=id_on_system[:100],
        reported_bytes=reported,
        promised_bytes=promised,
        detail=detail[:500],
    )


def _observation(run, array, pool, figures: Figures, moment) -> CapacityObservation:
    return CapacityObservation(
        run=run,
        array=array,
        pool=pool,
        observed_at=moment,
        name_on_system=figures.name[:200],
        raw_bytes=figures.raw_bytes,
        total_bytes=figures.total_bytes,
        used_bytes=figures.used_bytes,
        free_bytes=figures.free_bytes,
        provisioned_bytes=figures.provisioned_bytes,
        logical_used_bytes=figures.logical_used_bytes,
        data_reduction_ratio=figures.data_reduction_ratio,
    )
