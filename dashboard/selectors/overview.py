"""Reads for the overview page: the lists that need attention, each one query whatever the data size."""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Count, DecimalField, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from inventory import thresholds
from inventory.models import Allocation, Team

ACTIVE = Allocation.Status.ACTIVE
#: How far ahead "ending soon" looks.
ENDING_WITHIN_DAYS = 30
LIST_LIMIT = 10

_ALLOCATION_RELATED = ("project", "project__team", "pool", "pool__array")


def top_teams(*, limit: int = LIST_LIMIT) -> list[Team]:
    """The teams using most (logical used over their active allocations), with their quota and % used."""
    active = Q(projects__allocations__status=ACTIVE)
    zero = Value(0, output_field=BigIntegerField())
    return list(
        Team.objects.annotate(
            used_bytes=Sum("projects__allocations__used_bytes", filter=active),
            allocated_bytes=Coalesce(Sum("projects__allocations__quota_bytes", filter=active), zero),
        )
        .annotate(used_percent=thresholds.used_percent_expression("used_bytes", "allocated_bytes"))
        .filter(used_bytes__gt=0)
        .order_by("-used_bytes", "name")[:limit]
    )


def _with_total(queryset: QuerySet) -> QuerySet:
    """Adds ``total``: how many rows match before the LIMIT (a window count, so no second query)."""
    return queryset.annotate(total=Window(Count("pk")))


def _at_or_above_warning():
    """used × 100 ≥ quota × warning %, exactly (numeric): the same rows as the warning, critical and
    over-quota states of inventory.thresholds, in one comparison, because over quota (used > quota)
    implies it whenever the warning threshold is at most 100 %."""
    numeric = DecimalField(max_digits=40, decimal_places=0)
    return GreaterThanOrEqual(
        Cast("used_bytes", numeric) * Value(100, output_field=numeric),
        Cast("quota_bytes", numeric) * Cast("pool__warning_threshold", numeric),
    )


def allocations_near_quota(*, limit: int = LIST_LIMIT) -> list[Allocation]:
    """Active allocations at or above their pool's warning threshold (or over quota), fullest first."""
    return list(
        _with_total(
            Allocation.objects.filter(status=ACTIVE, used_bytes__isnull=False)
            .filter(_at_or_above_warning())
            .select_related(*_ALLOCATION_RELATED)
            .annotate(used_percent=thresholds.used_percent_expression())
        ).order_by(F("used_percent").desc(nulls_last=True), "pk")[:limit]
    )


def allocations_ending_soon(
    *, today: datetime.date, within_days: int = ENDING_WITHIN_DAYS, limit: int = LIST_LIMIT
) -> list[Allocation]:
    """Active allocations whose end date is today or within the next *within_days* days, soonest first."""
    return list(
        _with_total(
            Allocation.objects.filter(
                status=ACTIVE, end_date__gte=today, end_date__lte=today + datetime.timedelta(days=within_days)
            )
            .select_related(*_ALLOCATION_RELATED)
            .annotate(used_percent=thresholds.used_percent_expression())
        ).order_by("end_date", "pk")[:limit]
    )


def pending_requests(*, limit: int = LIST_LIMIT) -> list[Allocation]:
    """Allocation requests waiting for approval, oldest first."""
    return list(
        _with_total(
            Allocation.objects.filter(status=Allocation.Status.REQUESTED).select_related(
                *_ALLOCATION_RELATED, "requested_by"
            )
        ).order_by("created_at", "pk")[:limit]
    )
