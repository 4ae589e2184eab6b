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
    Value,
    Window,
)
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import GreaterThanOrEqual

from inventory import thresholds
from inventory.models import Allocation, Team

ACTIVE = Allocation.Status.ACTIVE
#: How far ahead "ending soon" looks.
ENDING_WITHIN_DAYS = 30
LIST_LIMIT = 10

_ALLOCATION_RELATED = ("project", "project__team", "pool", "pool__array")


# One query: rank the teams by their active allocations' logical used (only the two sums per
# team), then join the ten teams and work out their percentage. The percentage is the same
# numeric expression as inventory.thresholds.used_percent_expression, but for ten rows: over all
# 6,000 teams of a national estate it alone cost ~5 ms. The sums read the partial covering index
# allocation_active_by_pool (an index-only scan); what remains is joining 29,000 allocations to
# their projects and grouping them by team, ~12 ms at S500 (a per-team running total kept by the
# writers would be the next step).
_TOP_TEAMS_SQL = """
WITH ranked AS (
    SELECT p.team_id,
           SUM(a.used_bytes) AS used_bytes,
           COALESCE(SUM(a.quota_bytes), 0) AS allocated_bytes
    FROM inventory_allocation a
    JOIN inventory_researchproject p ON p.id = a.project_id
    WHERE a.status = %(active)s
    GROUP BY p.team_id
    HAVING SUM(a.used_bytes) > 0
    ORDER BY 2 DESC, 1
    LIMIT %(limit)s
)
SELECT t.*, r.used_bytes, r.allocated_bytes,
       r.used_bytes::numeric(40, 0) * 100 / NULLIF(r.allocated_bytes::numeric(40, 0), 0) AS used_percent
FROM ranked r
JOIN inventory_team t ON t.id = r.team_id
ORDER BY r.used_bytes DESC, r.team_id
"""


def top_teams(*, limit: int = LIST_LIMIT) -> list[Team]:
    """The teams using most, by logical used over their active allocations, with their quota and % used.

    The same figures as the team list (dashboard.selectors.teams.team_rows: sums over active
    allocations' latest usage), so "All teams" sorted by used starts with these teams; not the
    daily rollup, which counts only allocations that reported on a given day (and any status).
    """
    return list(Team.objects.raw(_TOP_TEAMS_SQL, {"active": ACTIVE, "limit": limit}))


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
