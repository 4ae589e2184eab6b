"""Reads for the overview page: the lists that need attention, two queries each whatever the data size.

Every list first picks the rows to show and counts every match on the narrow
allocation table, then joins only the picked rows to their project, team, pool
and array. Joining projects, teams and users for every match only to keep
ten was the slow part at national scale (hash joins over 20,000 projects and
36,000 users for each list).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OrderBy,
    QuerySet,
    Sum,
    Value,
    Window,
)
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
    """The teams using most (logical used over their active allocations), with their quota and % used.

    First the sums per team over allocations joined to projects (no team columns to group by),
    then the ten teams themselves.
    """
    zero = Value(0, output_field=BigIntegerField())
    sums = list(
        Allocation.objects.filter(status=ACTIVE)
        .values("project__team")
        .annotate(used_bytes=Sum("used_bytes"), allocated_bytes=Coalesce(Sum("quota_bytes"), zero))
        .annotate(used_percent=thresholds.used_percent_expression("used_bytes", "allocated_bytes"))
        .filter(used_bytes__gt=0)
        .order_by("-used_bytes", "project__team")[:limit]
    )
    teams = Team.objects.in_bulk([row["project__team"] for row in sums])
    rows = []
    for row in sums:
        team = teams[row["project__team"]]
        team.used_bytes, team.allocated_bytes, team.used_percent = (
            row["used_bytes"],
            row["allocated_bytes"],
            row["used_percent"],
        )
        rows.append(team)
    return rows


def _pick_then_fetch(matches: QuerySet, ordering: Sequence, *, limit: int, related=_ALLOCATION_RELATED):
    """The first *limit* allocations of *matches* in *ordering*, with related rows and ``used_percent``;
    each carries ``total``, the number of matches.

    Two queries (one when nothing matches): the first picks the rows and counts every match
    (a window count) in one scan of the narrow allocation table; the second joins only the
    picked rows to their project, team, pool and array. (One query with the pick and the count
    as subqueries scans the allocations twice: slower at national scale.)
    """
    picked = list(matches.annotate(total=Window(Count("pk"))).order_by(*ordering).values_list("pk", "total")[:limit])
    if not picked:
        return []
    rows = list(
        Allocation.objects.filter(pk__in=[pk for pk, _ in picked])
        .select_related(*related)
        .annotate(used_percent=thresholds.used_percent_expression())
        .order_by(*ordering)
    )
    for row in rows:
        row.total = picked[0][1]
    return rows


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


def _fullness() -> OrderBy:
    """used ÷ quota in double precision, fullest first: only to order rows (pages show the exact percentage)."""
    ratio = ExpressionWrapper(
        Cast("used_bytes", FloatField()) / NullIf(Cast("quota_bytes", FloatField()), Value(0.0)),
        output_field=FloatField(),
    )
    return ratio.desc(nulls_last=True)


def allocations_near_quota(*, limit: int = LIST_LIMIT) -> list[Allocation]:
    """Active allocations at or above their pool's warning threshold (or over quota), fullest first."""
    matches = Allocation.objects.filter(status=ACTIVE, used_bytes__isnull=False).filter(_at_or_above_warning())
    return _pick_then_fetch(matches, (_fullness(), "pk"), limit=limit)


def allocations_ending_soon(
    *, today: datetime.date, within_days: int = ENDING_WITHIN_DAYS, limit: int = LIST_LIMIT
) -> list[Allocation]:
    """Active allocations whose end date is today or within the next *within_days* days, soonest first."""
    matches = Allocation.objects.filter(
        status=ACTIVE, end_date__gte=today, end_date__lte=today + datetime.timedelta(days=within_days)
    )
    return _pick_then_fetch(matches, ("end_date", "pk"), limit=limit)


def pending_requests(*, limit: int = LIST_LIMIT) -> list[Allocation]:
    """Allocation requests waiting for approval, oldest first."""
    matches = Allocation.objects.filter(status=Allocation.Status.REQUESTED)
    return _pick_then_fetch(matches, ("created_at", "pk"), limit=limit, related=(*_ALLOCATION_RELATED, "requested_by"))
