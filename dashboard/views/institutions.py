"""Institution pages: what the teams of each university or institute were promised and use."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from dashboard.selectors.institutions import institution_rows
from dashboard.selectors.teams import team_rows
from dashboard.selectors.usage import latest_sample_day
from dashboard.tables import HtmxHttpRequest, paginate, render_list


def institution_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every institution with its totals."""
    context = {"page_obj": paginate(request, institution_rows())}
    return render_list(request, "dashboard/institutions/list.html", context)


def institution_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """One institution: its totals and its teams, with the team list's figures."""
    institution = get_object_or_404(institution_rows(), slug=slug)
    teams = team_rows(latest_day=latest_sample_day()).filter(institution=institution)
    context = {"institution": institution, "page_obj": paginate(request, teams)}
    return render_list(request, "dashboard/institutions/detail.html", context)
