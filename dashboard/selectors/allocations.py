"""Reads for allocation tables (the allocation list, and the allocations on team and project pages)."""

from __future__ import annotations

from django.db.models import QuerySet

from inventory.models import Allocation
from inventory.thresholds import threshold_state_expression, used_percent_expression


def allocation_rows(*, staff: bool = False) -> QuerySet[Allocation]:
    """Allocations with project, team, pool and array in the same query, % used and threshold state from SQL.

    Requester and approver are joined only for staff: researchers never see them. (No table or
    CSV of allocations shows the project's investigator: joining users for it cost planning time.)
    """
    related = ["project__team", "pool__array"]
    if staff:
        related += ["requested_by", "approved_by"]
    return (
        Allocation.objects.select_related(*related)
        .annotate(used_percent=used_percent_expression(), threshold_state=threshold_state_expression())
        .order_by("project__code", "pool__array__name", "pool__name", "pk")
    )
