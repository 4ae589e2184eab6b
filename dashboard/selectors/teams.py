"""Reads for the team pages: every figure is computed in SQL, one query per list."""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Count, F, OuterRef, QuerySet, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce, Lower

from dashboard.selectors.subqueries import subquery_count
from inventory import figures
from inventory.models import Allocation, ResearchProject, Team, TeamDailyUsage, TeamMembership
from inventory.thresholds import used_percent_expression

ACTIVE = Allocation.Status.ACTIVE
#: Rows of a team page's per-project and per-pool tables: the largest first, the rest one link away (a team
#: with 509 allocations on 509 pools rendered every one of them).
BREAKDOWN_LIMIT = 20
#: Members listed per page of a team page (a team of 309 people listed them all).
MEMBERS_PER_PAGE = 30


def _team_used_on(day: datetime.date | None):
    """The team's usage on *day* from the daily rollup (inventory/daily_usage.py: latest known values)."""
    if day is None:
        # A typed NULL: PostgreSQL cannot subtract two untyped NULLs.
        return Cast(Value(None), output_field=BigIntegerField())
    rows = TeamDailyUsage.objects.filter(team=OuterRef("pk"), day=day).values("used_bytes")[:1]
    return Subquery(rows, output_field=BigIntegerField())


def team_rows(*, latest_day: datetime.date | None) -> QuerySet[Team]:
    """Teams with projects, allocated, used, % of quota used, allocations over quota and growth over 7 and 30 days.

    Growth is the usage on *latest_day* minus the usage 7 (30) days earlier, both from the
    daily team rollup, NULL where either day has no sample.
    """
    project_count = (
        ResearchProject.objects.filter(team=OuterRef("pk")).order_by().annotate(n=subquery_count()).values("n")
    )
    week_ago = latest_day - datetime.timedelta(days=7) if latest_day else None
    month_ago = latest_day - datetime.timedelta(days=30) if latest_day else None
    return (
        # Names sort as people read them: "dScience" between "CERN" and "MET", not after "Z".
        Team.objects.select_related("institution")
        .alias(sort_name=Lower("name"))
        .annotate(
            project_count=Coalesce(Subquery(project_count, output_field=BigIntegerField()), Value(0)),
            # allocated_bytes, used_bytes, not_reporting_count: inventory.figures, as everywhere.
            **figures.figure_subqueries(
                "project__team", ("allocated_bytes", "used_bytes", "not_reporting_count", "over_quota_count")
            ),
            used_latest_day=_team_used_on(latest_day),
            used_week_ago=_team_used_on(week_ago),
            used_month_ago=_team_used_on(month_ago),
        )
        .annotate(
            used_percent=used_percent_expression("used_bytes", "allocated_bytes"),
            growth_7_bytes=F("used_latest_day") - F("used_week_ago"),
            growth_30_bytes=F("used_latest_day") - F("used_month_ago"),
        )
        .order_by("sort_name", "pk")
    )


def my_team_rows(user, *, latest_day: datetime.date | None, limit: int = 20) -> list[Team]:
    """The user's own teams with the same figures (one query), for the top of the team list."""
    return list(team_rows(latest_day=latest_day).filter(memberships__user=user)[:limit])


def team_members(team: Team, *, page: int = 1, per_page: int = MEMBERS_PER_PAGE) -> list[TeamMembership]:
    """One page of the team's members (by role, then name); each row's ``total`` counts every member (one query)."""
    start = (max(page, 1) - 1) * per_page
    members = (
        team.memberships.select_related("user")
        .annotate(total=Window(Count("pk")))
        .order_by("-role", "user__last_name", "user__username", "pk")
    )
    return list(members[start : start + per_page])


def team_project_breakdown(team: Team, *, limit: int = BREAKDOWN_LIMIT) -> list[ResearchProject]:
    """The team's *limit* largest projects (by active quota) with allocated/used over their active allocations;
    each row's ``total`` counts every project of the team (one grouped query)."""
    return list(
        ResearchProject.objects.filter(team=team)
        .select_related("principal_investigator")
        .annotate(
            over_quota_count=figures.over_quota_count("allocations__"), **figures.allocation_sums("allocations__")
        )
        .annotate(used_percent=used_percent_expression("used_bytes", "allocated_bytes"))
        .annotate(total=Window(Count("pk")))
        .order_by("-allocated_bytes", "code")[:limit]
    )


def team_pool_breakdown(team: Team, *, limit: int = BREAKDOWN_LIMIT) -> list[dict]:
    """Allocated and used on the *limit* pools where the team holds most, over its active allocations; each
    row's ``total`` counts every pool the team is on (one grouped query, dicts)."""
    return list(
        Allocation.objects.filter(figures.counts_as_allocated(), project__team=team)
        .values("pool__slug", "pool__name", "pool__array__name", "pool__array__slug")
        # The count first: allocation_sums' used_bytes would shadow the field it compares.
        .annotate(over_quota_count=figures.over_quota_count(), **figures.allocation_sums())
        .annotate(used_percent=used_percent_expression("used_bytes", "allocated_bytes"))
        .annotate(total=Window(Count("pool__slug")))
        .order_by("-allocated_bytes", "pool__array__name", "pool__name")[:limit]
    )
