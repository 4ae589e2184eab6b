"""Run one collection: log in, read, log out, then store everything in one transaction, and record the run.

At most one run per array at a time: a PostgreSQL advisory lock keyed by the array is taken for the whole
run (the worker's queue also allows one job per collector, but the command line may start one too). The
run row is written first and finished last, outside the data transaction, so that a failed run is
recorded with every error while nothing of its data is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from collection.clients import CLIENTS, CollectionError
from collection.models import CapacityObservation, CollectionRun, ReconciliationItem
from collection.services.apply import Applied, apply_snapshot
from collection.services.targets import Target

logger = logging.getLogger(__name__)

#: Distinguishes this app's advisory locks from any other's (the array id is the second key).
LOCK_NAMESPACE = 1_107_011
#: At most this many messages are kept on the run row.
STORED_MESSAGES = 1000


class _Failed(Exception):
    """The data of this run must not be kept; the errors are on the Applied."""


def collect(
    *, target: Target, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> tuple[CollectionRun, Applied]:
    """Collect ``target`` once; the run is recorded whatever happens. See the module docstring."""
    report = progress or (lambda message: None)
    run = CollectionRun.objects.create(array=target.array, collector=target.collector, kind=target.kind)
    applied = Applied()
    with _array_lock(target.array.pk) as locked:
        if not locked:
            applied.errors.append(f"{target.array.slug}: another collection of this array is running; try again later")
        else:
            try:
                _collect_locked(run, target, dry_run, applied, report)
            except Exception as error:  # recorded on the run rather than left "running" for ever
                logger.exception("collection of %s failed unexpectedly", target.array.slug)
                applied.errors.append(f"{target.array.slug}: unexpected error: {error!r}")
    _finish(run, applied, dry_run)
    return run, applied


def _collect_locked(run, target: Target, dry_run: bool, applied: Applied, report) -> None:
    client = CLIENTS[target.kind](target.connection)
    # The run's own moment, to the microsecond: two runs never share one (a sample is unique per moment).
    moment = run.started_at
    try:
        report(f"logging in to {target.connection.base_url} as {target.connection.username}")
        client.login()
        snapshot = client.snapshot(progress=report)
    except CollectionError as error:
        applied.errors.append(f"{target.array.slug}: {error}")
        return
    finally:
        client.logout()
        run.logins = client.logins
    run.pools_observed = len(snapshot.pools)
    run.file_systems = snapshot.file_systems
    run.quota_trees = len(snapshot.trees)
    if target.kind == "oceanstor" and snapshot.system is not None and snapshot.system.id != target.array.serial_number:
        applied.errors.append(
            f"{target.array.slug}: the array at {target.connection.base_url} reports serial number {snapshot.system.id}, "
            f"but {target.array.name} has serial number {target.array.serial_number}: is the URL right?"
        )
        return
    try:
        with transaction.atomic():
            result = apply_snapshot(
                run=run, array=target.array, snapshot=snapshot, moment=moment, dry_run=dry_run, report=report
            )
            _merge(applied, result)
            if applied.errors:
                raise _Failed
            if dry_run:
                transaction.set_rollback(True)
            else:
                CapacityObservation.objects.bulk_create(result.observations)
                ReconciliationItem.objects.bulk_create(result.reconciliation, batch_size=1000)
    except _Failed:
        applied.added = applied.skipped = 0


def _merge(applied: Applied, result: Applied) -> None:
    applied.errors.extend(result.errors)
    applied.warnings.extend(result.warnings)
    applied.reconciliation = result.reconciliation
    applied.observations = result.observations
    applied.added = result.added
    applied.skipped = result.skipped


def _finish(run: CollectionRun, applied: Applied, dry_run: bool) -> None:
    if applied.errors:
        run.outcome = CollectionRun.Outcome.FAILED
    else:
        run.outcome = CollectionRun.Outcome.DRY_RUN if dry_run else CollectionRun.Outcome.SUCCEEDED
    run.finished_at = timezone.now()
    run.samples_added = applied.added
    run.samples_skipped = applied.skipped
    run.unmatched = len(applied.reconciliation)
    run.errors = _capped(applied.errors)
    run.warnings = _capped(applied.warnings)
    run.save()


def _capped(messages: list[str]) -> list[str]:
    if len(messages) <= STORED_MESSAGES:
        return messages
    return messages[:STORED_MESSAGES] + [f"... and {len(messages) - STORED_MESSAGES} more"]


@contextmanager
def _array_lock(array_id: int):
    """A session-level advisory lock for the array, released whatever happens; yields whether it was taken."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, array_id])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, array_id])
