"""Team pages: usage per team, the headline of the dashboard."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from dashboard.chart_controls import chart_options, render_chart, wants_chart_only
from dashboard.filtersets import TeamFilterSet
from dashboard.selectors.allocations import TeamAllocationPages, allocation_rows
from dashboard.selectors.forecasts import with_quota_forecasts
from dashboard.selectors.teams import (
    MEMBERS_PER_PAGE,
    my_team_rows,
    team_breakdowns,
    team_figures,
    team_members,
    team_rows,
)
from dashboard.selectors.usage import latest_sample_day
from dashboard.tables import (
    HtmxHttpRequest,
    csv_filename,
    csv_response,
    paginate,
    render_list,
    wants_csv,
    wants_table_only,
)
from dashboard.units import prefers_binary
from dashboard.usage_charts import team_chart
from dashboard.views.allocations import allocation_csv


def _page_number(request: HtmxHttpRequest, name: str) -> int:
    """A positive page number from ``?name=``; junk gives the first page."""
    try:
        return max(int(request.GET.get(name, 1)), 1)
    except ValueError:
        return 1


def _members_pager(members: list, number: int) -> dict:
    """Where this page of members sits among them all (the rows carry the total: no count query)."""
    total = members[0].total if members else 0
    first = (number - 1) * MEMBERS_PER_PAGE + 1
    return {
        "total": total,
        "first": first,
        "last": first + len(members) - 1,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if first + len(members) - 1 < total else None,
    }


def _percent(value) -> str:
    return "" if value is None else f"{value:.2f}"


TEAM_CSV_COLUMNS = [
    ("slug", lambda t: t.slug),
    ("name", lambda t: t.name),
    ("institution", lambda t: t.institution.name if t.institution else ""),
    ("projects", lambda t: t.project_count),
    ("allocated_bytes", lambda t: t.allocated_bytes),
    ("used_bytes", lambda t: t.used_bytes),
    ("used_percent", lambda t: _percent(t.used_percent)),
    ("allocations_over_quota", lambda t: t.over_quota_count),
    ("growth_7d_bytes", lambda t: t.growth_7_bytes),
    ("growth_30d_bytes", lambda t: t.growth_30_bytes),
]


def team_list(request: HtmxHttpRequest) -> HttpResponse:
    """All teams (filter, sort, search, page); the user's own teams first, in their own section."""
    latest_day = latest_sample_day()
    filterset = TeamFilterSet(request.GET or None, queryset=team_rows(latest_day=latest_day), request=request)
    rows = filterset.qs
    if wants_csv(request):
        return csv_response(csv_filename("teams", request=request), TEAM_CSV_COLUMNS, rows)
    context = {
        "filterset": filterset,
        "page_obj": paginate(request, rows),
        "latest_day": latest_day,
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
    }
    if not wants_table_only(request):
        # Only the full page shows "My teams"; htmx swaps just the table below it.
        context["my_teams"] = my_team_rows(request.user, latest_day=latest_day)
    return render_list(request, "dashboard/teams/list.html", context)


def team_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One team: usage over time, per project and per pool, members, and its allocations."""
    latest_day = latest_sample_day()
    team = team_figures(slug, latest_day=latest_day)
    if team is None:
        raise Http404("No such team.")
    binary = prefers_binary(request)
    options = chart_options(request, chart_id="team-usage", splits=("project", "pool"))
    if wants_chart_only(request, options):  # a period or split link: the chart's block alone
        return render_chart(request, team_chart(team, options, latest_day=latest_day, binary=binary), options)
    staff = request.user.is_staff
    if wants_csv(request):
        allocations = allocation_rows(staff=staff, threshold_state=False).filter(project__team=team)
        return allocation_csv(csv_filename("allocations", "team", team.slug, request=request), allocations, staff=staff)
    # Unfiltered, so the team's row already counts them: no count query.
    page_obj = paginate(request, TeamAllocationPages(team, staff=staff), count=team.allocation_total)
    page_obj.object_list = with_quota_forecasts(page_obj.object_list)
    context = {
        "team": team,
        "page_obj": page_obj,
        "latest_day": latest_day,
    }
    if not wants_table_only(request):  # htmx asked for the allocations table alone
        members_page = _page_number(request, "members_page")
        members = team_members(team, page=members_page)
        context |= {
            "chart": team_chart(team, options, latest_day=latest_day, binary=binary),
            "chart_options": options,
            "breakdowns": team_breakdowns(team),
            "members": members,
            "members_pager": _members_pager(members, members_page),
        }
    return render_list(request, "dashboard/teams/detail.html", context)
