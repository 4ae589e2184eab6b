"""Which collectors are due: enabled, and no run started within their interval (one query)."""

from __future__ import annotations

import datetime

from django.db.models import F, OuterRef, Q, Subquery

from collection.models import CollectionRun, Collector


def due_collectors(*, now: datetime.datetime) -> list[int]:
    """Ids of the enabled collectors whose last run started at least one interval before ``now``."""
    last_start = CollectionRun.objects.filter(collector=OuterRef("pk")).order_by("-started_at").values("started_at")[:1]
    return list(
        Collector.objects.filter(enabled=True)
        .annotate(last_start=Subquery(last_start))
        .filter(Q(last_start__isnull=True) | Q(last_start__lte=now - F("interval")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
