"""Project pages: allocations, usage over time and the principal investigator."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from dashboard.charts import line_chart
from dashboard.filtersets import ProjectFilterSet
from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.projects import project_rows
from dashboard.selectors.usage import CHART_DAYS, latest_sample_day, project_daily_usage
from dashboard.tables import HtmxHttpRequest, csv_filename, csv_response, paginate, render_list, wants_csv
from dashboard.units import prefers_binary
from dashboard.views.allocations import allocation_csv_columns


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
    staff = request.user.is_staff
    allocations = allocation_rows(staff=staff).filter(project=project)
    if wants_csv(request):
        return csv_response(
            csv_filename("allocations", "project", project.code, request=request),
            allocation_csv_columns(staff=staff),
            allocations,
        )
    latest_day = latest_sample_day()
    context = {
        "project": project,
        "page_obj": paginate(request, allocations),
        "chart": line_chart(
            project_daily_usage(project.pk, end=latest_day),
            title=f"{project.code}: used capacity per day, last {CHART_DAYS} days",
            chart_id="project-usage",
            quota=project.allocated_bytes or None,
            binary=prefers_binary(request),
        ),
    }
    return render_list(request, "dashboard/projects/detail.html", context)
