"""The worker's tasks (procrastinate, queue kept in PostgreSQL): schedule collections, run them, thin samples.

Run the worker with ``manage.py procrastinate worker``. Every minute ``schedule_collections`` defers a
``collect_array`` job for each due collector; the job's queueing lock keeps at most one waiting and its lock
at most one running per collector, whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from procrastinate import exceptions
from procrastinate.contrib.django import app

from collection.clients import CollectionError
from collection.models import CollectionRun, Collector
from collection.services import targets
from collection.services.retention import thin_samples
from collection.services.run import collect
from collection.services.schedule import due_collectors

logger = logging.getLogger(__name__)
QUEUE = "collection"


@app.periodic(cron="* * * * *", periodic_id="schedule")
@app.task(queue=QUEUE, queueing_lock="collection-schedule")
def schedule_collections(timestamp: int) -> None:
    for collector_id in due_collectors(now=timezone.now()):
        lock = f"collect-{collector_id}"
        # One already waiting (queueing lock) means nothing to add: at most one run per system. The savepoint
        # keeps that refusal (a unique violation) from aborting a surrounding transaction.
        with contextlib.suppress(exceptions.AlreadyEnqueued), transaction.atomic():
            collect_array.configure(lock=lock, queueing_lock=lock).defer(collector_id=collector_id)


@app.task(queue=QUEUE)
def collect_array(collector_id: int) -> None:
    collector = Collector.objects.select_related("array").filter(pk=collector_id, enabled=True).first()
    if collector is None:
        return
    try:
        target = targets.from_collector(collector)
    except CollectionError as error:
        # Recorded as a failed run so that the Collectors page shows why nothing is collected.
        CollectionRun.objects.create(
            array=collector.array,
            collector=collector,
            kind=collector.kind,
            outcome=CollectionRun.Outcome.FAILED,
            finished_at=timezone.now(),
            errors=[f"{collector.array.slug}: {error}"],
        )
        return
    run, _created = collect(target=target)
    if run.errors:
        logger.warning("collection of %s failed: %s", collector.array.slug, "; ".join(run.errors[:5]))


@app.periodic(cron="17 3 * * *", periodic_id="retention")
@app.task(queue=QUEUE, queueing_lock="collection-retention")
def thin_old_samples(timestamp: int) -> None:
    deleted = thin_samples(retention_days=settings.COLLECTION_SAMPLE_RETENTION_DAYS)
    logger.info("thinned %d usage samples older than %d days", deleted, settings.COLLECTION_SAMPLE_RETENTION_DAYS)
