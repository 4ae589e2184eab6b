"""Prometheus metrics of the capacity figures, read through the dashboard's selectors.

A custom collector (not module-level gauges kept up to date) builds every sample at scrape time from four
queries, whatever the fleet's size: the capacity figures (pools), the teams' sums, the collectors, and the
active allocations, whose two families are written as text directly (api.exposition) because they hold a
sample per allocation.
Names follow Prometheus conventions: base units (bytes), ``_bytes`` suffix, and labels for the
dimension; never a per-person label.

``capacity_collector_last_success_timestamp_seconds`` and ``capacity_collector_up`` come from
``collection.metrics.collector_families()``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from django.apps import apps
from django.db.models import F
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from api.exposition import GaugeColumn, gauge_text
from dashboard.selectors.storage import capacity_figures
from inventory import figures
from inventory.models import Allocation

POOL_LABELS = ["array", "pool"]
ALLOCATION_LABELS = ["array", "pool", "team", "project", "quota_id"]
#: Where each allocation label comes from.
ALLOCATION_LABEL_FIELDS = ["pool__array__slug", "pool__slug", "project__team__slug", "project__code", "quota_id"]


def _pool_families() -> list[Metric]:
    size = GaugeMetricFamily("capacity_pool_size_bytes", "Usable capacity carved for the pool.", labels=POOL_LABELS)
    allocated = GaugeMetricFamily(
        "capacity_pool_allocated_bytes", "Sum of the pool's active allocations' quotas.", labels=POOL_LABELS
    )
    used = GaugeMetricFamily(
        "capacity_pool_used_bytes",
        "Latest reported usage of the pool's active allocations: logical, or physical (logical where the "
        "storage reports no physical figure).",
        labels=[*POOL_LABELS, "kind"],
    )
    for row in capacity_figures().pools:
        if row["pool_slug"] is None:
            continue  # an array with no pool yet: the storage page lists it, but it has no pool to measure
        labels = [row["array_slug"], row["pool_slug"]]
        size.add_metric(labels, row["usable_bytes"])
        allocated.add_metric(labels, row["allocated_bytes"])
        used.add_metric([*labels, "logical"], row["used_bytes"])
        used.add_metric([*labels, "physical"], row["physical_used_bytes"])
    return [size, allocated, used]


ALLOCATION_GAUGES = [
    GaugeColumn("capacity_allocation_quota_bytes", "The active allocation's quota.", "quota_bytes"),
    GaugeColumn(
        "capacity_allocation_used_bytes",
        "The active allocation's latest reported logical usage (absent before its first report).",
        "used_bytes",
    ),
]


def allocation_text() -> str:
    """The per-allocation families, written by the database (api.exposition): one sample per active allocation."""
    labels = list(zip(ALLOCATION_LABELS, ALLOCATION_LABEL_FIELDS, strict=True))
    rows = (
        Allocation.objects.filter(figures.counts_as_allocated())
        .order_by()
        .values("quota_bytes", "used_bytes", **{f"label_{label}": F(field) for label, field in labels})
    )
    return gauge_text(rows, {label: f"label_{label}" for label, _ in labels}, ALLOCATION_GAUGES)


def _team_families() -> list[Metric]:
    used = GaugeMetricFamily(
        "capacity_team_used_bytes",
        "Latest reported logical usage over the team's active allocations.",
        labels=["team"],
    )
    # One grouped pass over the active allocations (inventory.figures' sums), not a subquery per team.
    by_team = figures.allocation_sums_query(Allocation.objects.all(), "project__team__slug")
    for row in by_team.values("project__team__slug", "used_bytes"):
        if row["used_bytes"] is not None:
            used.add_metric([row["project__team__slug"]], row["used_bytes"])
    return [used]


def _collector_families() -> Iterable[Metric]:
    """The collectors app's own metrics, when it is installed and offers them (see the module docstring)."""
    if not apps.is_installed("collection"):
        return []
    try:
        module = importlib.import_module("collection.metrics")
    except ImportError:
        return []
    families = getattr(module, "collector_families", None)
    return families() if callable(families) else []


class CapacityCollector(Collector):
    """Every capacity metric but the per-allocation ones (allocation_text), computed at scrape time."""

    def collect(self) -> Iterable[Metric]:
        yield from _pool_families()
        yield from _team_families()
        yield from _collector_families()


def exposition() -> bytes:
    """The whole scrape: prometheus-client's families, then the per-allocation ones."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CapacityCollector())
    return generate_latest(registry) + allocation_text().encode()
