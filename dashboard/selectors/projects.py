"""Reads for the project pages: figures over each project's active allocations, from SQL."""

from __future__ import annotations

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from dashboard.selectors.subqueries import subquery_count, subquery_sum
from inventory.models import Allocation, ResearchProject
from inventory.thresholds import used_percent_expression

ACTIVE = Allocation.Status.ACTIVE


def _project_allocations(aggregate) -> Subquery:
    rows = (
        Allocation.objects.filter(project=OuterRef("pk"), status=ACTIVE)
        .order_by()
        .annotate(total=aggregate)
        .values("total")
    )
    return Subquery(rows, output_field=BigIntegerField())


def project_rows() -> QuerySet[ResearchProject]:
    """Projects with team and principal investigator joined, active allocation count, allocated, used, %."""
    return (
        ResearchProject.objects.select_related("team", "principal_investigator")
        .annotate(
            allocation_count=Coalesce(_project_allocations(subquery_count()), Value(0)),
            allocated_bytes=Coalesce(_project_allocations(subquery_sum("quota_bytes")), Value(0)),
            used_bytes=_project_allocations(subquery_sum("used_bytes")),
        )
        .annotate(used_percent=used_percent_expression("used_bytes", "allocated_bytes"))
        .order_by("code")
    )
