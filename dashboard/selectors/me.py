"""Reads for a person's own page (/me/): their teams, projects and allocations, forecasts and requests.

A fixed number of queries whatever the data size: one per list, one for every allocation's forecast.
"Mine" means the teams the person belongs to, and the projects they lead even outside those teams.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from approvals.selectors import requests_for_user
from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.forecasts import allocation_forecasts
from dashboard.selectors.projects import project_rows
from dashboard.selectors.teams import my_team_rows
from inventory.models import Allocation, TeamMembership

#: How far ahead "ending soon" looks on a person's page.
ENDING_WITHIN_DAYS = 60
#: How many rows each list shows (the full lists are a link away, filtered to "mine").
LIST_LIMIT = 50
#: How long a decided request stays on the page.
DECIDED_WITHIN_DAYS = 30


def _mine(user, team_ref: str, pi_ref: str) -> Q:
    return Q(Exists(TeamMembership.objects.filter(team=OuterRef(team_ref), user=user))) | Q(**{pi_ref: user})


@dataclass(frozen=True)
class MyPage:
    teams: list
    projects: list
    allocations: list  # active, each with .forecast (AllocationForecast or None)
    more_allocations: bool
    ending_soon: list
    requests: list


def my_page(user, *, today: datetime.date, now: datetime.datetime, latest_day: datetime.date | None) -> MyPage:
    """Everything on the person's own page."""
    mine = _mine(user, "project__team", "project__principal_investigator")
    active = allocation_rows().filter(mine, status=Allocation.Status.ACTIVE)
    allocations = list(active[: LIST_LIMIT + 1])
    more = len(allocations) > LIST_LIMIT
    allocations = allocations[:LIST_LIMIT]
    forecasts = allocation_forecasts([a.pk for a in allocations], now=now)
    for allocation in allocations:
        allocation.forecast = forecasts.get(allocation.pk)
    horizon = today + datetime.timedelta(days=ENDING_WITHIN_DAYS)
    ending = list(active.filter(end_date__gte=today, end_date__lte=horizon).order_by("end_date", "pk")[:LIST_LIMIT])
    for allocation in ending:
        allocation.days_left = (allocation.end_date - today).days
    projects = project_rows().filter(_mine(user, "team", "principal_investigator"))[:LIST_LIMIT]
    return MyPage(
        teams=my_team_rows(user, latest_day=latest_day),
        projects=list(projects),
        allocations=allocations,
        more_allocations=more,
        ending_soon=ending,
        requests=requests_for_user(user, since=now - datetime.timedelta(days=DECIDED_WITHIN_DAYS)),
    )
