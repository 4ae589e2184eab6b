"""Project pages: allocations, usage over time and the principal investigator."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from approvals.rules import may_request
from approvals.selectors import requests_for_project
from dashboard.chart_controls import chart_options, render_chart, wants_chart_only
from dashboard.filtersets import ProjectFilterSet
from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.forecasts import with_quota_forecasts
from dashboard.selectors.projects import project_rows
from dashboard.selectors.usage import latest_sample_day
from dashboard.tables import HtmxHttpRequest, csv_filename, csv_response, paginate, render_list, wants_csv
from dashboard.units import prefers_binary
from dashboard.usage_charts import project_chart
from dashboard.views.allocations import allocation_csv


def _percent(value) -> str:
    return "" if value is None else f"{value:.2f}"


PROJECT_CSV_COLUMNS = [
    ("code", lambda p: p.code),
    ("title", lambda p: p.title),
    ("team", lambda p: p.team.slug),
    ("principal_investigator", lambda p: p.principal_investigator.get_full_name() or p.principal_investigator.username),
    ("status", lambda p: p.status),
    ("active_allocations", lambda p: p.allocation_count),
    ("allocated_bytes", lambda p: p.allocated_bytes),
    ("used_bytes", lambda p: p.used_bytes),
    ("used_percent", lambda p: _percent(p.used_percent)),
    ("allocations_over_quota", lambda p: p.over_quota_count),
    ("start_date", lambda p: p.start_date.isoformat()),
    ("end_date", lambda p: p.end_date.isoformat() if p.end_date else None),
]


def project_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = ProjectFilterSet(request.GET or None, queryset=project_rows(), request=request)
    rows = filterset.qs
    if wants_csv(request):
        return csv_response(csv_filename("projects", request=request), PROJECT_CSV_COLUMNS, rows)
    context = {
        "filterset": filterset,
        "page_obj": paginate(request, rows),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
    }
    return render_list(request, "dashboard/projects/list.html", context)


def project_detail(request: HtmxHttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(project_rows(), code=code)
    latest_day = latest_sample_day()
    binary = prefers_binary(request)
    options = chart_options(request, chart_id="project-usage", splits=("pool",))
    if wants_chart_only(request, options):  # a period or split link: the chart's block alone
        return render_chart(request, project_chart(project, options, latest_day=latest_day, binary=binary), options)
    staff = request.user.is_staff
    allocations = allocation_rows(staff=staff, threshold_state=False).filter(project=project)
    if wants_csv(request):
        return allocation_csv(
            csv_filename("allocations", "project", project.code, request=request), allocations, staff=staff
        )
    page_obj = paginate(request, allocations)
    page_obj.object_list = with_quota_forecasts(page_obj.object_list)
    context = {
        "project": project,
        "page_obj": page_obj,
        "chart": project_chart(project, options, latest_day=latest_day, binary=binary),
        "chart_options": options,
        # Requests for storage (approvals/): their state and the decision's reason, and who may ask.
        "requests": requests_for_project(project),
        "may_request": may_request(request.user, project),
    }
    return render_list(request, "dashboard/projects/detail.html", context)
