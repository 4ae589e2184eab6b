"""Reads for the project pages: figures over each project's active allocations, from SQL."""

from __future__ import annotations

from django.db.models import QuerySet

from inventory import figures
from inventory.models import Allocation, ResearchProject
from inventory.thresholds import used_percent_expression

ACTIVE = Allocation.Status.ACTIVE


def project_rows() -> QuerySet[ResearchProject]:
    """Projects with team and principal investigator joined, active allocation count, allocated, used, %."""
    return (
        ResearchProject.objects.select_related("team", "principal_investigator")
        .annotate(
            **figures.figure_subqueries(
                "project",
                ("allocation_count", "allocated_bytes", "used_bytes", "not_reporting_count", "over_quota_count"),
            ),
        )
        .annotate(used_percent=used_percent_expression("used_bytes", "allocated_bytes"))
        .order_by("code")
    )
