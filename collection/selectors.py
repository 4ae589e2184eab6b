"""Reads for the collection pages: each a fixed number of queries whatever the number of collectors or items."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from collection.models import CapacityObservation, CollectionRun, Collector, ReconciliationItem


def is_stale(last_success: datetime.datetime | None, interval: datetime.timedelta, now: datetime.datetime) -> bool:
    """Figures are stale when the last success is older than twice the interval (or there was none)."""
    return last_success is None or now - last_success > 2 * interval


def _latest(outcomes=None):
    runs = CollectionRun.objects.filter(collector=OuterRef("pk"))
    if outcomes:
        runs = runs.filter(outcome__in=outcomes)
    return runs.order_by("-started_at")


def collector_rows(*, now: datetime.datetime) -> list[dict]:
    """Every collector with its last run and last success (one query)."""
    succeeded = _latest([CollectionRun.Outcome.SUCCEEDED])
    latest = _latest()
    rows = list(
        Collector.objects.select_related("array")
        .annotate(
            last_success=Subquery(succeeded.values("finished_at")[:1]),
            last_outcome=Subquery(latest.values("outcome")[:1]),
            last_started=Subquery(latest.values("started_at")[:1]),
            last_errors=Subquery(latest.values("errors")[:1]),
        )
        .order_by("array__name")
    )
    labels = dict(CollectionRun.Outcome.choices)
    return [
        {
            "collector": collector,
            "array": collector.array,
            "last_success": collector.last_success,
            "age": now - collector.last_success if collector.last_success else None,
            "stale": is_stale(collector.last_success, collector.interval, now),
            "last_outcome": labels.get(collector.last_outcome, ""),
            "last_started": collector.last_started,
            "last_error": (collector.last_errors or [""])[0],
        }
        for collector in rows
    ]


def latest_reconciliation(array_id: int) -> tuple[CollectionRun | None, list[ReconciliationItem]]:
    """The array's latest successful run and its reconciliation items (two queries)."""
    run = (
        CollectionRun.objects.filter(array_id=array_id, outcome=CollectionRun.Outcome.SUCCEEDED)
        .order_by("-started_at")
        .first()
    )
    if run is None:
        return None, []
    items = list(
        ReconciliationItem.objects.filter(run=run)
        .select_related("pool", "allocation__project")
        .order_by("kind", "name_on_system", "id")
    )
    return run, items


@dataclass(frozen=True, slots=True)
class Observed:
    """What the array last reported for an array or a pool, and whether that is stale."""

    observation: CapacityObservation
    stale: bool
    interval: datetime.timedelta


def observed(*, array_id: int, pool_id: int | None, now: datetime.datetime) -> Observed | None:
    """The latest observation of the array (``pool_id`` None) or pool, with staleness (two queries)."""
    collector = Collector.objects.filter(array_id=array_id).only("interval").first()
    if collector is None:
        return None
    observation = (
        CapacityObservation.objects.filter(array_id=array_id, pool_id=pool_id).order_by("-observed_at").first()
        if pool_id is not None
        else CapacityObservation.objects.filter(array_id=array_id, pool__isnull=True).order_by("-observed_at").first()
    )
    if observation is None:
        return None
    last_success = (
        CollectionRun.objects.filter(collector=collector, outcome=CollectionRun.Outcome.SUCCEEDED)
        .order_by("-started_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return Observed(observation, is_stale(last_success, collector.interval, now), collector.interval)
