"""Reads for the overview page: the teams using most and the lists that need attention, a fixed number of queries.

Every list first picks the rows to show and counts every match on the narrow
allocation table, then one query joins only the picked rows of all the lists to
their project, team, pool and array. Joining projects, teams and users for every match only to keep
ten was the slow part at national scale (hash joins over 20,000 projects and
36,000 users for each list).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

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
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import GreaterThanOrEqual

from inventory import figures, thresholds
from inventory.models import Allocation, Team

ACTIVE = Allocation.Status.ACTIVE
#: How far ahead "ending soon" looks.
ENDING_WITHIN_DAYS = 30
LIST_LIMIT = 10

_ALLOCATION_RELATED = ("project", "project__team", "pool", "pool__array")


# One query. First rank the teams on the used figure alone: the allocations that count as used
# (inventory.figures.counts_as_used, in WHERE rather than as a FILTER), read index-only from the partial
# index allocation_active_by_pool, summed per team. Only then work out every figure of inventory.figures for
# the ten teams ranked, through the projects' team index. Computing the seven filtered sums for every team
# only to keep ten was most of the overview's SQL at S500 (about 25 of its 50 ms; bench/ANALYSIS.md).
_TOP_TEAMS_SQL = """
WITH ranked AS ({ranked}), sums AS ({sums})
SELECT t.*, s.used_bytes, s.allocated_bytes, s.not_reporting_count,
       s.used_bytes::numeric(40, 0) * 100 / NULLIF(s.allocated_bytes::numeric(40, 0), 0) AS used_percent
FROM ranked r
JOIN sums s ON s.team_id = r.team_id
JOIN inventory_team t ON t.id = r.team_id
ORDER BY r.used DESC, r.team_id
"""


def top_teams(*, limit: int = LIST_LIMIT) -> list[Team]:
    """The teams using most, by logical used over their active allocations, with their quota and % used.

    The same figures as the team list (dashboard.selectors.teams.team_rows), both from inventory.figures,
    so "All teams" sorted by used starts with these teams.
    """
    since = figures.reporting_since()
    ranked = (
        Allocation.objects.filter(figures.counts_as_used(since=since))
        .order_by()
        .values(team_id=F("project__team"))
        .annotate(used=Sum("used_bytes"))
        .filter(used__gt=0)
        .order_by("-used", "team_id")[:limit]
    )
    # The ranked teams' figures; "ranked" is the CTE above, in scope where this subquery is written.
    of_ranked = Allocation.objects.filter(project__team_id__in=RawSQL("SELECT team_id FROM ranked", ()))
    sums = figures.allocation_sums_query(of_ranked, "project__team", since=since).values(
        "allocated_bytes", "not_reporting_count", "used_bytes", team_id=F("project__team")
    )
    ranked_sql, ranked_params = ranked.query.sql_with_params()
    sums_sql, sums_params = sums.query.sql_with_params()
    sql = _TOP_TEAMS_SQL.format(ranked=ranked_sql, sums=sums_sql)
    return list(Team.objects.raw(sql, (*ranked_params, *sums_params)))


def _pick(matches: QuerySet, ordering: Sequence, *, limit: int) -> list[tuple[int, int]]:
    """(pk, total) of the first *limit* allocations of *matches* in *ordering*; total counts every match.

    One scan of the narrow allocation table (a window count); the rows themselves are fetched
    afterwards, for all the lists at once (see attention_lists).
    """
    return list(matches.annotate(total=Window(Count("pk"))).order_by(*ordering).values_list("pk", "total")[:limit])


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


def _near_quota_matches() -> QuerySet:
    """Active allocations at or above their pool's warning threshold (or over quota)."""
    return Allocation.objects.filter(status=ACTIVE, used_bytes__isnull=False).filter(_at_or_above_warning())


def _ending_soon_matches(today: datetime.date, within_days: int) -> QuerySet:
    """Active allocations whose end date is today or within the next *within_days* days."""
    return Allocation.objects.filter(
        status=ACTIVE, end_date__gte=today, end_date__lte=today + datetime.timedelta(days=within_days)
    )


@dataclass(frozen=True)
class AttentionLists:
    """The overview's lists of allocations; every row carries ``used_percent`` and ``total`` (its list's matches)."""

    near_quota: list[Allocation]  # fullest first
    ending_soon: list[Allocation]  # soonest first
    pending_requests: list[Allocation] | None  # oldest first; None unless asked for (staff)


def attention_lists(
    *, today: datetime.date, staff: bool, within_days: int = ENDING_WITHIN_DAYS, limit: int = LIST_LIMIT
) -> AttentionLists:
    """Allocations near quota, ending soon and (for *staff*) requests waiting for approval.

    One query per list picks its rows and counts its matches on the narrow allocation table;
    then ONE query joins all the picked rows (30 at most) to their project, team, pool and
    array, instead of one such query per list. (Joining projects, teams and users for every
    match only to keep ten was the slow part at national scale.)
    """
    picks = {
        "near_quota": _pick(_near_quota_matches(), (_fullness(), "pk"), limit=limit),
        "ending_soon": _pick(_ending_soon_matches(today, within_days), ("end_date", "pk"), limit=limit),
    }
    related = _ALLOCATION_RELATED
    if staff:
        requested = Allocation.objects.filter(status=Allocation.Status.REQUESTED)
        picks["pending_requests"] = _pick(requested, ("created_at", "pk"), limit=limit)
        related = (*related, "requested_by")
    wanted = {pk for picked in picks.values() for pk, _ in picked}
    fetched = (
        Allocation.objects.select_related(*related)
        .annotate(used_percent=thresholds.used_percent_expression())
        .in_bulk(wanted)
        if wanted
        else {}
    )
    lists = {}
    for name, picked in picks.items():
        rows = []
        for pk, total in picked:
            if pk in fetched:  # deleted between the two queries: leave it out
                # A copy per list: an allocation can be both near quota and ending soon.
                row = copy.copy(fetched[pk])
                row.total = total
                rows.append(row)
        lists[name] = rows
    return AttentionLists(
        near_quota=lists["near_quota"],
        ending_soon=lists["ending_soon"],
        pending_requests=lists.get("pending_requests"),
    )
