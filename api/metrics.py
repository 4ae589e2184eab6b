"""Prometheus metrics of the capacity figures, read through the dashboard's selectors.

A custom collector (not module-level gauges kept up to date) builds every sample at scrape time from three
queries, whatever the fleet's size: the capacity figures (pools), the active allocations and the teams.
Names follow Prometheus conventions: base units (bytes), ``_bytes`` suffix, and labels for the
dimension; never a per-person label.

``capacity_collector_last_success_timestamp_seconds`` and ``capacity_collector_up`` belong to the
collectors app: they are emitted only when an installed ``collection`` app offers
``collection.metrics.collector_families()``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from django.apps import apps
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.storage import capacity_figures
from dashboard.selectors.teams import team_rows
from inventory.models import Allocation

POOL_LABELS = ["array", "pool"]
ALLOCATION_LABELS = ["array", "pool", "team", "project", "quota_id"]


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


def _allocation_families() -> list[Metric]:
    quota = GaugeMetricFamily(
        "capacity_allocation_quota_bytes", "The active allocation's quota.", labels=ALLOCATION_LABELS
    )
    used = GaugeMetricFamily(
        "capacity_allocation_used_bytes",
        "The active allocation's latest reported logical usage (absent before its first report).",
        labels=ALLOCATION_LABELS,
    )
    rows = allocation_rows().filter(status=Allocation.Status.ACTIVE)
    for allocation in rows.iterator(chunk_size=5000):
        labels = [
            allocation.pool.array.slug,
            allocation.pool.slug,
            allocation.project.team.slug,
            allocation.project.code,
            allocation.quota_id,
        ]
        quota.add_metric(labels, allocation.quota_bytes)
        if allocation.used_bytes is not None:
            used.add_metric(labels, allocation.used_bytes)
    return [quota, used]


def _team_families() -> list[Metric]:
    used = GaugeMetricFamily(
        "capacity_team_used_bytes",
        "Latest reported logical usage over the team's active allocations.",
        labels=["team"],
    )
    for team in team_rows(latest_day=None).only("slug"):
        if team.used_bytes is not None:
            used.add_metric([team.slug], team.used_bytes)
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
    """Every capacity metric, computed at scrape time."""

    def collect(self) -> Iterable[Metric]:
        yield from _pool_families()
        yield from _allocation_families()
        yield from _team_families()
        yield from _collector_families()
