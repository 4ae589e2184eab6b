"""Import one usage report: parse, match to pools and allocations, refuse conflicts, store, all or nothing.

The flow for one file (see ``import_usage_file``):

1. Parse it with the format's parser (``inventory.importers``): every bad record is an error.
2. Resolve pools by slug and allocations by (pool, quota identifier), one query each, whatever the file
   size. Unknown pools and quota identifiers are errors that name them.
3. Copy the matched records into a temporary table (PostgreSQL ``COPY``) and compare them, in one join, with
   the samples already stored for the same (allocation, moment): an identical stored sample is "already
   present" and skipped (re-importing a file changes nothing); a different one is a conflict and an error.
4. If anything is wrong, nothing is written (but the import itself is recorded as failed, with every
   message). Otherwise, in the same transaction: insert the new samples (``INSERT ... SELECT ... ON
   CONFLICT DO NOTHING``), move each touched allocation's latest usage forward only where the file is newer,
   record what the array enforces (its hard limit) to expose quota drift, and refresh the daily rollups of
   the days touched.

Concurrency: before checking for conflicts a real import locks the allocations it touches (in id order, so
two imports cannot deadlock). A second import of the same file waits, then finds every sample present.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from inventory.importers import FORMATS, RecordError, RecordWarning, UsageRecord
from inventory.importers.base import ParseResult, Source
from inventory.models import Allocation, StoragePool, UsageImport
from inventory.services.rollups import refresh_daily_usage
from inventory.units import format_capacity

#: At most this many messages are kept on the UsageImport row (a million-record file can fail a million
#: times; the command and the admin page still show them all).
STORED_MESSAGES = 1000

_TEMP_TABLE = "usage_import_rows"
_TEMP_COLUMNS = (
    "n",
    "allocation_id",
    "measured_at",
    "used_bytes",
    "physical_used_bytes",
    "file_count",
    "soft_limit_bytes",
    "hard_limit_bytes",
)
_VALUE_COLUMNS = _TEMP_COLUMNS[3:]


@dataclass(slots=True, frozen=True)
class QuotaDrift:
    """An allocation whose storage system enforces another hard limit than the quota promised."""

    position: str
    allocation_id: int
    quota_key: str
    enforced_bytes: int
    promised_bytes: int

    @property
    def message(self) -> str:
        return (
            f"quota drift on {self.quota_key}: the array enforces {format_capacity(self.enforced_bytes)} "
            f"but the allocation promises {format_capacity(self.promised_bytes)}"
        )


@dataclass(slots=True)
class ImportOutcome:
    """What came of importing one file. ``ok`` is true only when nothing was wrong."""

    file_name: str
    format: str
    dry_run: bool = False
    records: int = 0
    added: int = 0
    skipped: int = 0
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordWarning] = field(default_factory=list)
    drift: list[QuotaDrift] = field(default_factory=list)
    usage_import: UsageImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def outcome(self) -> str:
        if self.errors:
            return UsageImport.Outcome.FAILED
        return UsageImport.Outcome.DRY_RUN if self.dry_run else UsageImport.Outcome.SUCCEEDED

    def summary(self) -> str:
        """One line: what was (or, in a dry run, would be) written."""
        if self.errors:
            return (
                f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}, nothing written "
                f"({self.records} records read)"
            )
        verb = "would add" if self.dry_run else "added"
        text = (
            f"{verb} {self.added}, skipped {self.skipped} already present, "
            f"{len(self.drift)} quota drift warning{'s' if len(self.drift) != 1 else ''}"
        )
        return text + (" (dry run: nothing written)" if self.dry_run else "")


Progress = Callable[[str], None]


def import_usage_file(
    *,
    path_or_file: Source,
    file_name: str,
    format: str,
    pool_slug: str | None = None,
    quota_trees: Source | None = None,
    measured_at: datetime.datetime | None = None,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import one usage report; see the module docstring. Records the attempt as a UsageImport.

    ``path_or_file`` is a ``pathlib.Path``, an open binary file or the bytes themselves. ``measured_at`` is the
    moment for formats whose records carry none (default: now); it must be timezone-aware.
    """
    report = progress or (lambda message: None)
    outcome = ImportOutcome(file_name=file_name, format=format, dry_run=dry_run)
    default_pool: StoragePool | None = None
    try:
        moment = _default_moment(measured_at)
        fmt = FORMATS.get(format)
        if fmt is None:
            raise _Refused(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
        if quota_trees is not None and not fmt.takes_quota_trees:
            raise _Refused(f"a quota-trees file applies to the oceanstor format only, not {format}")
        if pool_slug:
            default_pool = StoragePool.objects.filter(slug=pool_slug).first()
            if default_pool is None:
                raise _Refused(f"unknown pool {pool_slug!r} (--pool): no storage pool has this slug")
    except _Refused as refusal:
        outcome.errors.append(RecordError("", str(refusal)))
        _record(outcome, user=user, pool=default_pool)
        return outcome

    report("reading")
    parsed = fmt.read(_rewound(path_or_file), quota_trees=_rewound(quota_trees) if quota_trees else None)
    outcome.records = len(parsed.records) + _count_bad_records(parsed)
    outcome.errors.extend(parsed.errors)
    outcome.warnings.extend(parsed.warnings)

    report("matching")
    matched = _match(parsed, default_pool=default_pool, moment=moment, outcome=outcome)
    if matched:
        report("checking against stored samples")
        _store(matched, parsed.records, fmt.name, outcome, user=user, pool=default_pool)
    else:
        _record(outcome, user=user, pool=default_pool or _single_pool(parsed))
    outcome.errors.sort(key=_error_order)
    return outcome


class _Refused(Exception):
    """The import cannot start (bad options); the message says why."""


def _default_moment(measured_at: datetime.datetime | None) -> datetime.datetime:
    if measured_at is None:
        return timezone.now().replace(microsecond=0)
    if timezone.is_naive(measured_at):
        raise _Refused("the moment (--measured-at) must carry a time zone, e.g. 2026-11-28T00:00:00Z")
    return measured_at.astimezone(datetime.UTC)


def _rewound(source: Source) -> Source:
    """Uploaded files may have been read already (validation); parsers read from the start."""
    if hasattr(source, "seek") and not isinstance(source, bytes | str | os.PathLike):
        source.seek(0)
    return source


def _count_bad_records(parsed: ParseResult) -> int:
    return len({error.position for error in parsed.errors if error.position})


# --- matching records to allocations ------------------------------------------------------------------


@dataclass(slots=True)
class _Matched:
    """The records that found their allocation, as rows for COPY, plus what drift reporting needs."""

    rows: list[tuple]
    quotas: dict[int, int]  # allocation id -> quota_bytes
    keys: dict[int, str]  # allocation id -> quota identifier (for messages)
    days: set[datetime.date]


def _match(
    parsed: ParseResult, *, default_pool: StoragePool | None, moment: datetime.datetime, outcome: ImportOutcome
) -> _Matched | None:
    """Find each record's pool and allocation in two queries; name every unknown pool and quota id."""
    records = parsed.records
    if not records:
        return None
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

    keys: set[str] = set()
    for record in records:
        keys.add(record.quota_key)
        keys.update(record.alternate_keys)
    allocations: dict[tuple[int, str], tuple[int, int]] = {}
    candidate_pools = set(pool_ids.values()) | ({default_id} if default_id else set())
    if candidate_pools:
        for allocation_id, pool_id, quota_id, quota_bytes in Allocation.objects.filter(
            pool_id__in=candidate_pools, quota_id__in=keys
        ).values_list("id", "pool_id", "quota_id", "quota_bytes"):
            allocations[(pool_id, quota_id)] = (allocation_id, quota_bytes)

    unknown_pools: dict[str, list[str]] = {}
    unknown_keys: dict[tuple[str, str], list[str]] = {}
    missing_pool: list[str] = []
    rows: list[tuple] = []
    quotas: dict[int, int] = {}
    key_names: dict[int, str] = {}
    latest_limits: dict[int, UsageRecord] = {}
    latest_moment: dict[int, datetime.datetime] = {}
    seen: dict[tuple[int, datetime.datetime], UsageRecord] = {}
    slug_of = {pool_id: slug for slug, pool_id in pool_ids.items()}
    if default_pool is not None:
        slug_of.setdefault(default_id, default_pool.slug)
    for index, record in enumerate(records):
        if record.pool is None:
            pool_id = default_id
            if pool_id is None:
                missing_pool.append(record.position)
                continue
        else:
            pool_id = pool_ids.get(record.pool)
            if pool_id is None:
                unknown_pools.setdefault(record.pool, []).append(record.position)
                continue
        found = allocations.get((pool_id, record.quota_key))
        if found is None:
            for alternate in record.alternate_keys:
                found = allocations.get((pool_id, alternate))
                if found is not None:
                    break
            else:
                unknown_keys.setdefault((slug_of[pool_id], record.quota_key), []).append(record.position)
                continue
        allocation_id, quota_bytes = found
        when = record.measured_at or moment
        # Two records naming the same quota differently (a name and an id) are still one sample.
        earlier = seen.get((allocation_id, when))
        if earlier is not None:
            verb = "duplicates" if earlier.values == record.values else "conflicts with"
            outcome.errors.append(
                RecordError(record.position, f"{verb} {earlier.position} (the same allocation and moment)")
            )
            continue
        seen[(allocation_id, when)] = record
        quotas[allocation_id] = quota_bytes
        key_names[allocation_id] = record.quota_key
        rows.append(
            (
                index,
                allocation_id,
                when,
                record.used_bytes,
                record.physical_used_bytes,
                record.file_count,
                record.soft_limit_bytes,
                record.hard_limit_bytes,
            )
        )
        if record.hard_limit_bytes is not None:
            previous = latest_moment.get(allocation_id)
            if previous is None or when >= previous:
                latest_moment[allocation_id] = when
                latest_limits[allocation_id] = record
    days = {when.astimezone(datetime.UTC).date() for when in {row[2] for row in rows}}

    if missing_pool:
        outcome.errors.append(
            RecordError(
                missing_pool[0],
                f"no pool: the {outcome.format} format does not name one; give the pool (--pool)"
                + _others(missing_pool),
            )
        )
    for slug, positions in unknown_pools.items():
        outcome.errors.append(
            RecordError(positions[0], f"unknown pool {slug!r}: no storage pool has this slug" + _others(positions))
        )
    for (slug, key), positions in unknown_keys.items():
        outcome.errors.append(
            RecordError(
                positions[0], f"unknown quota id {key!r}: no allocation on pool {slug} has it" + _others(positions)
            )
        )
    for allocation_id, record in latest_limits.items():
        if record.hard_limit_bytes != quotas[allocation_id]:
            outcome.drift.append(
                QuotaDrift(
                    record.position,
                    allocation_id,
                    record.quota_key,
                    record.hard_limit_bytes,
                    quotas[allocation_id],
                )
            )
    outcome.drift.sort(key=lambda drift: _position_order(drift.position))
    outcome.warnings.extend(RecordWarning(drift.position, drift.message) for drift in outcome.drift)
    if not rows:
        return None
    return _Matched(rows=rows, quotas=quotas, keys=key_names, days=days)


def _others(positions: list[str]) -> str:
    extra = len(positions) - 1
    if extra <= 0:
        return ""
    return f" (and {extra} more record{'s' if extra != 1 else ''})"


def _single_pool(parsed: ParseResult) -> StoragePool | None:
    slugs = {record.pool for record in parsed.records if record.pool}
    if len(slugs) != 1:
        return None
    return StoragePool.objects.filter(slug=next(iter(slugs))).first()


# --- storing ------------------------------------------------------------------------------------------


def _store(
    matched: _Matched,
    records: list[UsageRecord],
    source: str,
    outcome: ImportOutcome,
    *,
    user,
    pool: StoragePool | None,
) -> None:
    """Check against stored samples and, if all is well, write everything in one transaction."""
    write = not outcome.errors and not outcome.dry_run
    usage_import: UsageImport | None = None
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        raw.execute(f"DROP TABLE IF EXISTS {_TEMP_TABLE}")
        raw.execute(
            f"CREATE TEMPORARY TABLE {_TEMP_TABLE} (n integer, allocation_id bigint, measured_at timestamptz, "
            "used_bytes bigint, physical_used_bytes bigint, file_count bigint, soft_limit_bytes bigint, "
            "hard_limit_bytes bigint) ON COMMIT DROP"
        )
        with raw.copy(f"COPY {_TEMP_TABLE} ({', '.join(_TEMP_COLUMNS)}) FROM STDIN") as copy:
            _copy_rows(copy, matched.rows)
        if write:
            # Lock the touched allocations in id order: a concurrent import of the same allocations waits
            # here until this one commits, then sees its samples as already present.
            raw.execute(
                f"SELECT a.id FROM inventory_allocation a WHERE a.id IN (SELECT DISTINCT allocation_id FROM "
                f"{_TEMP_TABLE}) ORDER BY a.id FOR NO KEY UPDATE OF a"
            )
        identical = _compare_with_stored(raw, records, outcome)
        if outcome.errors or outcome.dry_run:
            if not outcome.errors:  # a clean dry run says what it would have added
                outcome.added = len(matched.rows) - identical
                outcome.skipped = identical
            transaction.set_rollback(True)
        else:
            usage_import = _new_import(outcome, user=user, pool=pool)
            outcome.usage_import = usage_import
            columns = ", ".join(_TEMP_COLUMNS[1:])
            raw.execute(
                f"INSERT INTO inventory_usagesample ({columns}, source, usage_import_id) "
                f"SELECT {columns}, %s, %s FROM {_TEMP_TABLE} ORDER BY allocation_id, measured_at "
                "ON CONFLICT (allocation_id, measured_at) DO NOTHING",
                [source, usage_import.pk],
            )
            outcome.added = raw.rowcount
            outcome.skipped = len(matched.rows) - outcome.added
            _update_allocations(raw)
            if outcome.added:
                refresh_daily_usage(days=matched.days)
            usage_import.added = outcome.added
            usage_import.skipped = outcome.skipped
            usage_import.save(update_fields=["added", "skipped"])
    if usage_import is None:
        _record(outcome, user=user, pool=pool)


def _copy_rows(copy, rows: list[tuple]) -> None:
    """Stream rows into COPY as tab-separated text: cheaper than adapting a million tuples one by one."""
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write(
            "\t".join(
                ("\\N" if value is None else value.isoformat() if type(value) is datetime.datetime else str(value))
                for value in row
            )
        )
        write("\n")
        if buffer.tell() > 1 << 20:
            copy.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        copy.write(buffer.getvalue())


def _compare_with_stored(raw, records: list[UsageRecord], outcome: ImportOutcome) -> int:
    """Conflicts with stored samples become errors; returns how many records are already stored as is."""
    new = ", ".join(f"t.{column}" for column in _VALUE_COLUMNS)
    old = ", ".join(f"s.{column}" for column in _VALUE_COLUMNS)
    raw.execute(
        f"SELECT count(*) FROM {_TEMP_TABLE} t JOIN inventory_usagesample s "
        "ON s.allocation_id = t.allocation_id AND s.measured_at = t.measured_at "
        f"WHERE ({new}) IS NOT DISTINCT FROM ({old})"
    )
    identical = raw.fetchone()[0]
    raw.execute(
        f"SELECT t.n, s.measured_at, {old} FROM {_TEMP_TABLE} t JOIN inventory_usagesample s "
        "ON s.allocation_id = t.allocation_id AND s.measured_at = t.measured_at "
        f"WHERE ({new}) IS DISTINCT FROM ({old}) ORDER BY t.n"
    )
    for n, stored_at, *stored in raw.fetchall():
        record = records[n]
        outcome.errors.append(
            RecordError(
                record.position,
                f"conflicts with the stored sample of {_moment_text(stored_at)} for {record.quota_key}: "
                + _difference(stored, record),
            )
        )
    return identical


def _difference(stored: list, record: UsageRecord) -> str:
    names = ("used", "physical used", "file count", "soft limit", "hard limit")
    parts = []
    for name, before, after in zip(names, stored, record.values, strict=True):
        if before != after:
            shown = str if name == "file count" else _bytes_text
            parts.append(f"{name} {shown(before)} stored, {shown(after)} in this file")
    return "; ".join(parts)


def _bytes_text(value: int | None) -> str:
    return "none" if value is None else f"{value} B ({format_capacity(value)})"


def _moment_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _update_allocations(raw) -> None:
    """Move latest usage forward (only where the file is newer) and note the enforced hard limit."""
    raw.execute(
        f"""
        UPDATE inventory_allocation a
           SET used_bytes = l.used_bytes,
               physical_used_bytes = l.physical_used_bytes,
               file_count = l.file_count,
               usage_measured_at = l.measured_at
          FROM (SELECT DISTINCT ON (allocation_id) allocation_id, measured_at, used_bytes,
                       physical_used_bytes, file_count
                  FROM {_TEMP_TABLE}
                 ORDER BY allocation_id, measured_at DESC) l
         WHERE a.id = l.allocation_id
           AND (a.usage_measured_at IS NULL OR a.usage_measured_at < l.measured_at)
        """
    )
    raw.execute(
        f"""
        UPDATE inventory_allocation a
           SET enforced_quota_bytes = l.hard_limit_bytes,
               enforced_quota_seen_at = l.measured_at
          FROM (SELECT DISTINCT ON (allocation_id) allocation_id, measured_at, hard_limit_bytes
                  FROM {_TEMP_TABLE}
                 WHERE hard_limit_bytes IS NOT NULL
                 ORDER BY allocation_id, measured_at DESC) l
         WHERE a.id = l.allocation_id
           AND (a.enforced_quota_seen_at IS NULL OR a.enforced_quota_seen_at <= l.measured_at)
        """
    )


# --- the import record ---------------------------------------------------------------------------------


def _messages(outcome: ImportOutcome) -> list[str]:
    messages = [str(error) for error in outcome.errors] + [f"warning: {warning}" for warning in outcome.warnings]
    if len(messages) > STORED_MESSAGES:
        rest = len(messages) - STORED_MESSAGES
        messages = messages[:STORED_MESSAGES] + [f"... and {rest} more"]
    return messages


def _new_import(outcome: ImportOutcome, *, user, pool: StoragePool | None) -> UsageImport:
    return UsageImport.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        file_name=outcome.file_name[:500],
        format=outcome.format[:20],
        pool=pool,
        outcome=outcome.outcome,
        records=outcome.records,
        added=outcome.added,
        skipped=outcome.skipped,
        drift_warnings=len(outcome.drift),
        error_count=len(outcome.errors),
        messages=_messages(outcome),
    )


def _record(outcome: ImportOutcome, *, user, pool: StoragePool | None) -> None:
    """Record a failed or dry-run import (its own small transaction: the data transaction rolled back)."""
    outcome.errors.sort(key=_error_order)
    outcome.usage_import = _new_import(outcome, user=user, pool=pool)


def _error_order(error: RecordError) -> tuple[int, int]:
    return _position_order(error.position)


def _position_order(position: str) -> tuple[int, int]:
    _, _, number = position.rpartition(" ")
    return (1, int(number)) if number.isdigit() else (0, 0)
