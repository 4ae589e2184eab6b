"""Matching parsed records to pools and allocations: two queries whatever the file size.

Pools are found by slug (reports do not always write it in lower case), allocations by (pool, quota
identifier), trying a record's alternate keys in order. Unknown pools and quota identifiers, records dated in
the future, and two records that land on the same (allocation, moment) are errors naming the records. The
result is a list of rows ready for COPY, plus what the drift warnings need.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from inventory.importers import RecordError, RecordWarning, UsageRecord
from inventory.importers.base import bare_position, position_order
from inventory.models import Allocation, StoragePool
from inventory.moments import future_reason, latest_acceptable
from inventory.services.usage_import.outcome import ImportOutcome, QuotaDrift, others


@dataclass(slots=True)
class Matched:
    """The records that found their allocation, as rows ready for COPY, and what the updates need.

    A row is ``(allocation_id, measured_at, used, physical used, file count, soft limit, hard limit,
    limits reported)``.
    """

    rows: list[tuple]
    origin: list[int]  # row -> index of its record
    index: dict[tuple[int, datetime.datetime], int]  # (allocation id, moment) -> row
    newest_limits: dict[int, int]  # allocation id -> row of its newest moment that reports limits

    @property
    def days(self) -> set[datetime.date]:
        return {moment.astimezone(datetime.UTC).date() for moment in {row[1] for row in self.rows}}

    @property
    def allocation_ids(self) -> list[int]:
        return sorted({row[0] for row in self.rows})


@dataclass(slots=True)
class _Lookup:
    """What the database knows about the pools and quota identifiers a file names."""

    pool_ids: dict[str, int]  # slug as written in the file -> pool id
    allocations: dict[tuple[int, str], int]  # (pool id, quota id) -> allocation id
    quotas: dict[int, int]  # allocation id -> promised quota in bytes
    slug_of: dict[int, str]  # pool id -> slug, for messages
    default_id: int | None


@dataclass(slots=True)
class _Unmatched:
    """Records that matched nothing, grouped so that each problem is told once with its first record."""

    missing_pool: list[str]
    unknown_pools: dict[str, list[str]]
    unknown_keys: dict[tuple[str, str], list[str]]


def match(
    records: list[UsageRecord],
    *,
    default_pool: StoragePool | None,
    moment: datetime.datetime,
    outcome: ImportOutcome,
) -> Matched | None:
    """Find each record's allocation; errors and drift warnings go to ``outcome``. None if nothing matched."""
    if not records:
        return None
    lookup = _look_up(records, default_pool)
    unmatched = _Unmatched([], {}, {})
    matched = _pair(records, lookup, unmatched, moment=moment, outcome=outcome)
    _report_unmatched(unmatched, outcome)
    _report_drift(matched, records, lookup.quotas, outcome)
    return matched if matched.rows else None


def _look_up(records: list[UsageRecord], default_pool: StoragePool | None) -> _Lookup:
    slugs = {record.pool for record in records if record.pool is not None}
    # Slugs are lower case; resources in reports are not always.
    pool_ids: dict[str, int] = {}
    if slugs:
        wanted = slugs | {slug.lower() for slug in slugs}
        found = dict(StoragePool.objects.filter(slug__in=wanted).values_list("slug", "id"))
        for slug in slugs:
            pool_id = found.get(slug, found.get(slug.lower()))
            if pool_id is not None:
                pool_ids[slug] = pool_id
    default_id = default_pool.id if default_pool is not None else None
    keys: set[str] = {record.quota_key for record in records}
    for record in records:
        if record.alternate_keys:
            keys.update(record.alternate_keys)
    allocations: dict[tuple[int, str], int] = {}
    quotas: dict[int, int] = {}
    candidate_pools = set(pool_ids.values()) | ({default_id} if default_id else set())
    if candidate_pools:
        for allocation_id, pool_id, quota_id, quota_bytes in Allocation.objects.filter(
            pool_id__in=candidate_pools, quota_id__in=keys
        ).values_list("id", "pool_id", "quota_id", "quota_bytes"):
            allocations[(pool_id, quota_id)] = allocation_id
            quotas[allocation_id] = quota_bytes
    slug_of = {pool_id: slug for slug, pool_id in pool_ids.items()}
    if default_pool is not None:
        slug_of.setdefault(default_id, default_pool.slug)
    return _Lookup(pool_ids, allocations, quotas, slug_of, default_id)


def _pair(
    records: list[UsageRecord],
    lookup: _Lookup,
    unmatched: _Unmatched,
    *,
    moment: datetime.datetime,
    outcome: ImportOutcome,
) -> Matched:
    """The lean loop a million records go through: tuple unpacking beats attribute access."""
    rows: list[tuple] = []
    origin: list[int] = []
    index: dict[tuple[int, datetime.datetime], int] = {}
    newest_limits: dict[int, int] = {}
    pool_ids, allocations, default_id = lookup.pool_ids, lookup.allocations, lookup.default_id
    latest_ok = latest_acceptable()
    add_row, add_origin, errors = rows.append, origin.append, outcome.errors
    for number, record in enumerate(records):
        position, pool, key, when, used, physical, files, soft, hard, reported, alternates = record
        pool_id = default_id if pool is None else pool_ids.get(pool)
        if pool_id is None:
            if pool is None:
                unmatched.missing_pool.append(position)
            else:
                unmatched.unknown_pools.setdefault(pool, []).append(position)
            continue
        allocation_id = allocations.get((pool_id, key))
        if allocation_id is None:
            for alternate in alternates:
                allocation_id = allocations.get((pool_id, alternate))
                if allocation_id is not None:
                    break
            else:
                unmatched.unknown_keys.setdefault((lookup.slug_of[pool_id], key), []).append(position)
                continue
        if when is None:
            when = moment
        elif when > latest_ok:
            errors.append(RecordError(position, f"measured at {future_reason(when)}"))
            continue
        identity = (allocation_id, when)
        earlier = index.get(identity)
        if earlier is not None:
            # Two records naming the same quota differently (a name and an id) are still one sample.
            first = records[origin[earlier]]
            verb = "duplicates" if first.values == record.values else "conflicts with"
            errors.append(
                RecordError(position, f"{verb} {bare_position(first.position)} (the same allocation and moment)")
            )
            continue
        row_number = index[identity] = len(rows)
        add_row((allocation_id, when, used, physical, files, soft, hard, reported))
        add_origin(number)
        if reported:
            best = newest_limits.get(allocation_id)
            if best is None or rows[best][1] <= when:
                newest_limits[allocation_id] = row_number
    return Matched(rows=rows, origin=origin, index=index, newest_limits=newest_limits)


def _report_unmatched(unmatched: _Unmatched, outcome: ImportOutcome) -> None:
    if unmatched.missing_pool:
        positions = unmatched.missing_pool
        outcome.errors.append(
            RecordError(
                positions[0],
                f"no pool: the {outcome.format} format does not name one; give the pool (--pool)" + others(positions),
            )
        )
    for slug, positions in unmatched.unknown_pools.items():
        outcome.errors.append(
            RecordError(positions[0], f"unknown pool {slug!r}: no storage pool has this slug" + others(positions))
        )
    for (slug, key), positions in unmatched.unknown_keys.items():
        outcome.errors.append(
            RecordError(
                positions[0], f"unknown quota id {key!r}: no allocation on pool {slug} has it" + others(positions)
            )
        )


def _report_drift(matched: Matched, records: list[UsageRecord], quotas: dict[int, int], outcome: ImportOutcome):
    """Warn where the newest limits the file reports for an allocation differ from its promised quota."""
    rows = matched.rows
    for allocation_id, row_number in matched.newest_limits.items():
        enforced = rows[row_number][6]
        if enforced is not None and enforced != quotas[allocation_id]:
            record = records[matched.origin[row_number]]
            outcome.drift.append(
                QuotaDrift(record.position, allocation_id, record.quota_key, enforced, quotas[allocation_id])
            )
    outcome.drift.sort(key=lambda drift: position_order(drift.position))
    outcome.warnings.extend(RecordWarning(drift.position, drift.message) for drift in outcome.drift)
