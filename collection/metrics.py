"""The collectors' Prometheus metrics, offered to api.metrics (which builds /metrics at scrape time).

One row per configured collector from collection.selectors.collector_rows (one query): the moment of its
last successful run, and whether it is up: its latest run succeeded and that success is not stale (the
same staleness rule as the Collectors page: older than twice the interval).
"""

from __future__ import annotations

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from collection.models import CollectionRun
from collection.selectors import collector_rows

LABELS = ["array", "kind"]


def collector_families() -> list[Metric]:
    last_success = GaugeMetricFamily(
        "capacity_collector_last_success_timestamp_seconds",
        "When the collector last finished a successful run (Unix time); absent before its first success.",
        labels=LABELS,
    )
    up = GaugeMetricFamily(
        "capacity_collector_up",
        "1 when the collector's latest run succeeded and that success is recent (within twice its interval).",
        labels=LABELS,
    )
    succeeded = CollectionRun.Outcome.SUCCEEDED.label
    for row in collector_rows(now=timezone.now()):
        labels = [row["array"].slug, row["collector"].kind]
        if row["last_success"] is not None:
            last_success.add_metric(labels, row["last_success"].timestamp())
        healthy = row["collector"].enabled and row["last_outcome"] == succeeded and not row["stale"]
        up.add_metric(labels, 1 if healthy else 0)
    return [last_success, up]
