"""Storing matched rows: compare with what is stored, COPY what is new, then the usage state; one transaction.

Concurrency: before comparing with stored samples a real import locks the allocations it touches (in id
order, so two imports cannot deadlock). A second import of the same file waits, then finds every sample
present; a sample written meanwhile by another path would make COPY hit the unique constraint, which rolls
the whole file back (nothing half-written). An import guarded by its file's digest (a format without
moments, no explicit moment) first takes a transaction lock on (digest, pool), then looks for an identical
earlier import again: two uploads of the same lfs file at once add it once.
"""

from __future__ import annotations

import datetime

import psycopg
from django.db import IntegrityError, connection, transaction

from inventory.importers import RecordError, UsageRecord
from inventory.models import StoragePool, UsageImport
from inventory.moments import format_moment
from inventory.services.usage_import.digest import earlier_identical
from inventory.services.usage_import.matching import Matched
from inventory.services.usage_import.outcome import ImportOutcome, Progress, new_import, record_import
from inventory.services.usage_import.state import apply_usage_state
from inventory.units import format_capacity

_COPY_COLUMNS = (
    "allocation_id, measured_at, used_bytes, physical_used_bytes, file_count, soft_limit_bytes, "
    "hard_limit_bytes, limits_reported, source, usage_import_id"
)
_COPY_TYPES = ["int8", "timestamptz", "int8", "int8", "int8", "int8", "int8", "bool", "text", "int8"]
_FIGURES = ("used", "physical used", "file count", "soft limit", "hard limit")


def store(
    matched: Matched,
    records: list[UsageRecord],
    outcome: ImportOutcome,
    *,
    user,
    pool: StoragePool | None,
    guard_digest: bool,
    report: Progress,
) -> None:
    """Check against stored samples and, if all is well, write everything in one transaction."""
    try:
        usage_import = _store_in_transaction(
            matched, records, outcome, user=user, pool=pool, guard_digest=guard_digest, report=report
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
        record_import(outcome, user=user, pool=pool)


def _store_in_transaction(
    matched: Matched,
    records: list[UsageRecord],
    outcome: ImportOutcome,
    *,
    user,
    pool: StoragePool | None,
    guard_digest: bool,
    report: Progress,
) -> UsageImport | None:
    write = not outcome.errors and not outcome.dry_run
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        if write and guard_digest and pool is not None:
            raw.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{outcome.sha256}:{pool.pk}"])
            outcome.identical_to = earlier_identical(outcome.sha256, pool)
            if outcome.identical_to is not None:
                transaction.set_rollback(True)
                return None
        if write:
            # Lock the touched allocations in id order: a concurrent import of the same allocations waits
            # here until this one commits, then finds its samples already present.
            raw.execute(
                "SELECT id FROM inventory_allocation WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                [matched.allocation_ids],
            )
        present = _compare_with_stored(raw, matched, records, outcome)
        if not write or outcome.errors:
            if not outcome.errors:  # a clean dry run says what it would have added
                outcome.added = len(matched.rows) - len(present)
                outcome.skipped = len(present)
            transaction.set_rollback(True)
            return None
        usage_import = outcome.usage_import = new_import(outcome, user=user, pool=pool)
        report(f"writing {len(matched.rows) - len(present)} samples")
        outcome.added = _copy_samples(raw, matched.rows, present, (outcome.format, usage_import.pk))
        outcome.skipped = len(present)
        if outcome.added:
            report("updating allocations and daily rollups")
            apply_usage_state(allocation_ids=matched.allocation_ids, days=matched.days)
        usage_import.added = outcome.added
        usage_import.skipped = outcome.skipped
        usage_import.save(update_fields=["added", "skipped"])
    return usage_import


def _compare_with_stored(raw, matched: Matched, records: list[UsageRecord], outcome: ImportOutcome) -> set[int]:
    """Rows already stored as they are (returned), and conflicts with stored samples (errors).

    First a cheap probe on the moment index: new data (the usual case) has nothing stored at its moments.
    Only then are the file's exact (allocation, moment) pairs joined against the unique index. Filtering
    with `allocation_id = ANY(...) AND measured_at = ANY(...)` instead let the planner, with statistics
    not yet updated after a large import, scan a million rows against a 34,000-element array.
    Stored rows come back with the moment as integer microseconds, which psycopg loads in C.
    """
    moments = {row[1] for row in matched.rows}
    if not _anything_stored_at(raw, sorted(moments)):
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
    index, rows = matched.index, matched.rows
    for allocation_id, micros, *stored in stored_rows:
        moment = moment_of.get(micros)
        row_number = index.get((allocation_id, moment)) if moment is not None else None
        if row_number is None:
            continue
        # Only the figures count: whether a report carried limits is how it said them, not what it said.
        if tuple(stored) == rows[row_number][2:7]:
            present.add(row_number)
        else:
            conflicts.append((row_number, tuple(stored)))
    for row_number, stored in sorted(conflicts):
        record = records[matched.origin[row_number]]
        outcome.errors.append(
            RecordError(
                record.position,
                f"conflicts with the stored sample of {format_moment(rows[row_number][1])} for {record.quota_key}: "
                + _difference(stored, rows[row_number][2:7]),
            )
        )
    return present


def _anything_stored_at(raw, ordered: list[datetime.datetime]) -> bool:
    if len(ordered) <= 10_000:
        raw.execute("SELECT EXISTS (SELECT 1 FROM inventory_usagesample WHERE measured_at = ANY(%s))", [ordered])
    else:  # a long series: a range is cheaper to send
        raw.execute(
            "SELECT EXISTS (SELECT 1 FROM inventory_usagesample WHERE measured_at BETWEEN %s AND %s)",
            [ordered[0], ordered[-1]],
        )
    return raw.fetchone()[0]


def _copy_samples(raw, rows: list[tuple], present: set[int], tail: tuple) -> int:
    """COPY the new rows straight into the usage table (binary: no text formatting per value)."""
    added = 0
    with raw.copy(f"COPY inventory_usagesample ({_COPY_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_COPY_TYPES)
        write_row = copy.write_row
        if present:
            for row_number, row in enumerate(rows):
                if row_number not in present:
                    write_row(row + tail)
                    added += 1
        else:
            for row in rows:
                write_row(row + tail)
            added = len(rows)
    return added


def _difference(stored: tuple, new: tuple) -> str:
    parts = []
    for name, before, after in zip(_FIGURES, stored, new, strict=True):
        if before != after:
            shown = str if name == "file count" else _bytes_text
            parts.append(f"{name} {shown(before)} stored, {shown(after)} in this file")
    return "; ".join(parts)


def _bytes_text(value: int | None) -> str:
    return "none" if value is None else f"{value} B ({format_capacity(value)})"
