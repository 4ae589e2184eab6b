"""Import one usage report: parse, match to pools and allocations, refuse conflicts, store, all or nothing.

The flow for one file (see ``import_usage_file``):

1. Parse it with the format's parser (``inventory.importers``): every bad record is an error.
2. Resolve pools by slug and allocations by (pool, quota identifier), one query each, whatever the file
   size. Unknown pools and quota identifiers are errors that name them.
3. Compare the matched records, in one query, with the samples already stored for the same (allocation,
   moment): an identical stored sample is "already present" and skipped (re-importing a file changes
   nothing); a different one is a conflict and an error.
4. If anything is wrong, nothing is written (but the import itself is recorded as failed, with every
   message). Otherwise, in one transaction: ``COPY`` the new samples straight into the usage table (binary
   format, psycopg 3), move each touched allocation's latest usage forward only where the file is newer, and
   record what the array enforces (its hard limit) to expose quota drift, one ``UPDATE ... FROM unnest(...)``
   each; then refresh the daily rollups of the days touched.

Concurrency: before comparing with stored samples a real import locks the allocations it touches (in id
order, so two imports cannot deadlock). A second import of the same file waits, then finds every sample
present; a sample written meanwhile by another path would make COPY hit the unique constraint, which rolls
the whole file back (nothing half-written).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from inventory.importers import FORMATS, RecordError, RecordWarning, UsageRecord
from inventory.importers.base import ParseResult, Source
from inventory.models import Allocation, StoragePool, UsageImport
from inventory.services.usage_state import refresh_usage_state
from inventory.units import format_capacity

#: At most this many messages are kept on the UsageImport row (a million-record file can fail a million
#: times; the command and the admin page still show them all).
STORED_MESSAGES = 1000


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

    @property
    def other_warnings(self) -> list[RecordWarning]:
        """The warnings that are not quota drift (pages show drift in a table of its own)."""
        drift = {(item.position, item.message) for item in self.drift}
        return [warning for warning in self.warnings if (warning.position, warning.message) not in drift]

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
    # The import is listed under its pool: the --pool one, or the only one the file names.
    pool = default_pool or _single_pool(parsed)
    if matched:
        report("checking against stored samples")
        _store(matched, parsed.records, fmt.name, outcome, user=user, pool=pool, report=report)
    else:
        _record(outcome, user=user, pool=pool)
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
    """The records that found their allocation, as rows ready for COPY, and what the updates need.

    A row is ``(allocation_id, measured_at, used, physical used, file count, soft limit, hard limit)``.
    """

    rows: list[tuple]
    origin: list[int]  # row -> index of its record
    index: dict[tuple[int, datetime.datetime], int]  # (allocation id, moment) -> row
    latest: dict[int, int]  # allocation id -> row of its newest moment in the file
    latest_limit: dict[int, int]  # allocation id -> row of its newest moment that carries a hard limit

    @property
    def days(self) -> set[datetime.date]:
        return {moment.astimezone(datetime.UTC).date() for moment in {row[1] for row in self.rows}}


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

    unknown_pools: dict[str, list[str]] = {}
    unknown_keys: dict[tuple[str, str], list[str]] = {}
    missing_pool: list[str] = []
    rows: list[tuple] = []
    origin: list[int] = []
    index: dict[tuple[int, datetime.datetime], int] = {}
    latest: dict[int, int] = {}
    latest_limit: dict[int, int] = {}
    slug_of = {pool_id: slug for slug, pool_id in pool_ids.items()}
    if default_pool is not None:
        slug_of.setdefault(default_id, default_pool.slug)
    add_row = rows.append
    add_origin = origin.append
    # The lean loop: a million records go through it. Tuple unpacking beats attribute access.
    for number, record in enumerate(records):
        position, pool, key, when, used, physical, files, soft, hard, alternates = record
        if pool is None:
            pool_id = default_id
            if pool_id is None:
                missing_pool.append(position)
                continue
        else:
            pool_id = pool_ids.get(pool)
            if pool_id is None:
                unknown_pools.setdefault(pool, []).append(position)
                continue
        allocation_id = allocations.get((pool_id, key))
        if allocation_id is None:
            for alternate in alternates:
                allocation_id = allocations.get((pool_id, alternate))
                if allocation_id is not None:
                    break
            else:
                unknown_keys.setdefault((slug_of[pool_id], key), []).append(position)
                continue
        if when is None:
            when = moment
        identity = (allocation_id, when)
        earlier = index.get(identity)
        if earlier is not None:
            # Two records naming the same quota differently (a name and an id) are still one sample.
            first = records[origin[earlier]]
            verb = "duplicates" if first.values == record.values else "conflicts with"
            outcome.errors.append(RecordError(position, f"{verb} {first.position} (the same allocation and moment)"))
            continue
        row_number = len(rows)
        index[identity] = row_number
        add_row((allocation_id, when, used, physical, files, soft, hard))
        add_origin(number)
        newest = latest.get(allocation_id)
        if newest is None or rows[newest][1] < when:
            latest[allocation_id] = row_number
        if hard is not None:
            newest = latest_limit.get(allocation_id)
            if newest is None or rows[newest][1] <= when:
                latest_limit[allocation_id] = row_number

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
    for allocation_id, row_number in latest_limit.items():
        enforced = rows[row_number][6]
        if enforced != quotas[allocation_id]:
            record = records[origin[row_number]]
            outcome.drift.append(
                QuotaDrift(record.position, allocation_id, record.quota_key, enforced, quotas[allocation_id])
            )
    outcome.drift.sort(key=lambda drift: _position_order(drift.position))
    outcome.warnings.extend(RecordWarning(drift.position, drift.message) for drift in outcome.drift)
    if not rows:
        return None
    return _Matched(rows=rows, origin=origin, index=index, latest=latest, latest_limit=latest_limit)


def _others(positions: list[str]) -> str:
    extra = len(positions) - 1
    if extra <= 0:
        return ""
    return f" (and {extra} more record{'s' if extra != 1 else ''})"


def _single_pool(parsed: ParseResult) -> StoragePool | None:
    slugs = {record.pool for record in parsed.records}
    if len(slugs) != 1 or None in slugs:
        return None
    slug = next(iter(slugs))
    return StoragePool.objects.filter(slug__in={slug, slug.lower()}).order_by("-slug").first()


# --- storing ------------------------------------------------------------------------------------------


def _store(
    matched: _Matched,
    records: list[UsageRecord],
    source: str,
    outcome: ImportOutcome,
    *,
    user,
    pool: StoragePool | None,
    report: Progress,
) -> None:
    """Check against stored samples and, if all is well, write everything in one transaction."""
    write = not outcome.errors and not outcome.dry_run
    allocation_ids = sorted({row[0] for row in matched.rows})
    try:
        usage_import = _store_in_transaction(
            matched, records, source, outcome, allocation_ids, write=write, user=user, pool=pool, report=report
        )
    except (IntegrityError, psycopg.IntegrityError) as error:
        # Only a sample stored meanwhile by another path (not an import: those wait on the locks) gets here.
        diag = getattr(error, "diag", None) or getattr(error.__cause__, "diag", None)
        detail = getattr(diag, "message_detail", None) or str(error).splitlines()[0]
        outcome.errors.append(
            RecordError("", f"the database refused the samples ({detail}); nothing was written: import the file again")
        )
        outcome.added = outcome.skipped = 0
        outcome.usage_import = usage_import = None
    if usage_import is None:
        _record(outcome, user=user, pool=pool)


def _store_in_transaction(
    matched: _Matched,
    records: list[UsageRecord],
    source: str,
    outcome: ImportOutcome,
    allocation_ids: list[int],
    *,
    write: bool,
    user,
    pool: StoragePool | None,
    report: Progress,
) -> UsageImport | None:
    usage_import: UsageImport | None = None
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        if write:
            # Lock the touched allocations in id order: a concurrent import of the same allocations waits
            # here until this one commits, then finds its samples already present.
            raw.execute(
                "SELECT id FROM inventory_allocation WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                [allocation_ids],
            )
        present = _compare_with_stored(raw, matched, records, outcome)
        if outcome.errors or outcome.dry_run:
            if not outcome.errors:  # a clean dry run says what it would have added
                outcome.added = len(matched.rows) - len(present)
                outcome.skipped = len(present)
            transaction.set_rollback(True)
        else:
            usage_import = _new_import(outcome, user=user, pool=pool)
            outcome.usage_import = usage_import
            report(f"writing {len(matched.rows) - len(present)} samples")
            outcome.added = _copy_samples(raw, matched.rows, present, (source, usage_import.pk))
            outcome.skipped = len(present)
            report("updating allocations")
            if outcome.added:
                report("refreshing latest usage and daily rollups")
                refresh_usage_state(allocation_ids=allocation_ids, sample_days=matched.days)
            usage_import.added = outcome.added
            usage_import.skipped = outcome.skipped
            usage_import.save(update_fields=["added", "skipped"])
    return usage_import


def _compare_with_stored(raw, matched: _Matched, records: list[UsageRecord], outcome: ImportOutcome) -> set[int]:
    """Rows already stored as they are (returned), and conflicts with stored samples (errors).

    First a cheap probe on the moment index: new data (the usual case) has nothing stored at its moments.
    Only then are the file's exact (allocation, moment) pairs joined against the unique index. Filtering
    with `allocation_id = ANY(...) AND measured_at = ANY(...)` instead let the planner, with statistics
    not yet updated after a large import, scan a million rows against a 34,000-element array (minutes).
    Stored rows come back with the moment as integer microseconds, which psycopg loads in C.
    """
    moments = {row[1] for row in matched.rows}
    ordered = sorted(moments)
    if len(ordered) <= 10_000:
        raw.execute("SELECT EXISTS (SELECT 1 FROM inventory_usagesample WHERE measured_at = ANY(%s))", [ordered])
    else:  # a long series: a range is cheaper to send
        raw.execute(
            "SELECT EXISTS (SELECT 1 FROM inventory_usagesample WHERE measured_at BETWEEN %s AND %s)",
            [ordered[0], ordered[-1]],
        )
    if not raw.fetchone()[0]:
        return set()
    raw.execute(
        "SELECT s.allocation_id, (extract(epoch FROM s.measured_at) * 1000000)::bigint, s.used_bytes, "
        "s.physical_used_bytes, s.file_count, s.soft_limit_bytes, s.hard_limit_bytes "
        "FROM unnest(%s::bigint[], %s::timestamptz[]) AS wanted(allocation_id, measured_at) "
        "JOIN inventory_usagesample s "
        "ON s.allocation_id = wanted.allocation_id AND s.measured_at = wanted.measured_at",
        [[row[0] for row in matched.rows], [row[1] for row in matched.rows]],
    )
    stored_rows = raw.fetchall()
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    moment_of = {(moment - epoch) // datetime.timedelta(microseconds=1): moment for moment in moments}
    present: set[int] = set()
    conflicts: list[tuple[int, tuple]] = []
    index = matched.index
    rows = matched.rows
    for allocation_id, micros, *stored in stored_rows:
        moment = moment_of.get(micros)
        row_number = index.get((allocation_id, moment)) if moment is not None else None
        if row_number is None:
            continue
        if tuple(stored) == rows[row_number][2:]:
            present.add(row_number)
        else:
            conflicts.append((row_number, tuple(stored)))
    for row_number, stored in sorted(conflicts):
        record = records[matched.origin[row_number]]
        outcome.errors.append(
            RecordError(
                record.position,
                f"conflicts with the stored sample of {_moment_text(rows[row_number][1])} for {record.quota_key}: "
                + _difference(stored, rows[row_number][2:]),
            )
        )
    return present


def _copy_samples(raw, rows: list[tuple], present: set[int], tail: tuple) -> int:
    """COPY the new rows straight into the usage table (binary: no text formatting per value)."""
    columns = (
        "allocation_id, measured_at, used_bytes, physical_used_bytes, file_count, soft_limit_bytes, "
        "hard_limit_bytes, source, usage_import_id, limits_reported"
    )
    added = 0
    with raw.copy(f"COPY inventory_usagesample ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int8", "timestamptz", "int8", "int8", "int8", "int8", "int8", "text", "int8", "bool"])
        write_row = copy.write_row
        if present:
            for row_number, row in enumerate(rows):
                if row_number not in present:
                    write_row((*row, *tail, row[5] is not None or row[6] is not None))
                    added += 1
        else:
            for row in rows:
                write_row((*row, *tail, row[5] is not None or row[6] is not None))
            added = len(rows)
    return added


def _difference(stored: tuple, new: tuple) -> str:
    names = ("used", "physical used", "file count", "soft limit", "hard limit")
    parts = []
    for name, before, after in zip(names, stored, new, strict=True):
        if before != after:
            shown = str if name == "file count" else _bytes_text
            parts.append(f"{name} {shown(before)} stored, {shown(after)} in this file")
    return "; ".join(parts)


def _bytes_text(value: int | None) -> str:
    return "none" if value is None else f"{value} B ({format_capacity(value)})"


def _moment_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


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
