"""Reads for the overview page: the lists that need attention, each one query whatever the data size."""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Cast, Coalesce, NullIf
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
    """used × 100 ≥ quota × warning %, exactly: the rows in the warning, critical and over-quota states
    of inventory.thresholds (over quota, used > quota, implies it as the warning threshold is ≤ 100 %).

    Written as used ≥ ⌈quota × warning ÷ 100⌉ = (quota div 100) × warning + ⌈(quota mod 100) × warning ÷ 100⌉
    so it stays in bigint arithmetic (no overflow, exact, and about twice as fast as numeric over
    every active allocation).
    """
    warning = F("pool__warning_threshold")
    quota = F("quota_bytes")
    limit = (quota / 100) * warning + ((quota % 100) * warning + 99) / 100
    return GreaterThanOrEqual(F("used_bytes"), ExpressionWrapper(limit, output_field=BigIntegerField()))


def _fullness():
    """used ÷ quota in double precision: only to order rows (the page shows the exact numeric percentage)."""
    return ExpressionWrapper(
        Cast("used_bytes", FloatField()) / NullIf(Cast("quota_bytes", FloatField()), Value(0.0)),
        output_field=FloatField(),
    )


def allocations_near_quota(*, limit: int = LIST_LIMIT) -> list[Allocation]:
    """Active allocations at or above their pool's warning threshold (or over quota), fullest first.

    Two queries: the first picks the rows and counts all matches over the narrow allocation
    table; the second fetches those few rows with their project, team, pool and array. Joining
    and computing percentages for every match only to keep ten was the slow part at scale.
    """
    ordering = (_fullness().desc(nulls_last=True), "pk")
    picked = list(
        _with_total(Allocation.objects.filter(status=ACTIVE, used_bytes__isnull=False).filter(_at_or_above_warning()))
        .order_by(*ordering)
        .values_list("pk", "total")[:limit]
    )
    if not picked:
        return []
    rows = list(
        Allocation.objects.filter(pk__in=[pk for pk, _ in picked])
        .select_related(*_ALLOCATION_RELATED)
        .annotate(used_percent=thresholds.used_percent_expression())
        .order_by(*ordering)
    )
    for row in rows:
        row.total = picked[0][1]
    return rows


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
