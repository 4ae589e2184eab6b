"""The allocation list: filter by status, pool, team and threshold state; sort; search; CSV."""

from __future__ import annotations

from django.http import HttpResponse

from dashboard.filtersets import AllocationFilterSet
from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.forecasts import with_quota_forecasts
from dashboard.tables import HtmxHttpRequest, csv_response, paginate, render_list, wants_csv


def _percent(value) -> str:
    return "" if value is None else f"{value:.2f}"


def allocation_csv_columns(*, staff: bool):
    """CSV columns for allocations: capacities in exact bytes; requester and justification for staff only."""
    columns = [
        ("project_code", lambda a: a.project.code),
        ("team", lambda a: a.project.team.slug),
        ("array", lambda a: a.pool.array.name),
        ("pool", lambda a: a.pool.slug),
        ("status", lambda a: a.status),
        ("quota_bytes", lambda a: a.quota_bytes),
        ("used_bytes", lambda a: a.used_bytes),
        ("used_percent", lambda a: _percent(a.used_percent)),
        ("threshold_state", lambda a: a.threshold_state),
        ("warning_threshold_percent", lambda a: a.pool.warning_threshold),
        ("critical_threshold_percent", lambda a: a.pool.critical_threshold),
        ("usage_measured_at", lambda a: a.usage_measured_at.isoformat() if a.usage_measured_at else None),
        ("start_date", lambda a: a.start_date.isoformat()),
        ("end_date", lambda a: a.end_date.isoformat() if a.end_date else None),
        ("quota_id", lambda a: a.quota_id),
    ]
    if staff:
        columns += [
            ("requested_by", lambda a: a.requested_by.username if a.requested_by else None),
            ("approved_by", lambda a: a.approved_by.username if a.approved_by else None),
            ("justification", lambda a: a.justification),
        ]
    return columns


def allocation_list(request: HtmxHttpRequest) -> HttpResponse:
    staff = request.user.is_staff
    filterset = AllocationFilterSet(request.GET or None, queryset=allocation_rows(staff=staff), request=request)
    rows = filterset.qs
    if wants_csv(request):
        return csv_response("allocations.csv", allocation_csv_columns(staff=staff), rows)
    page_obj = paginate(request, rows)
    page_obj.object_list = with_quota_forecasts(page_obj.object_list)  # days until each quota is full
    context = {
        "filterset": filterset,
        "page_obj": page_obj,
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
    }
    return render_list(request, "dashboard/allocations/list.html", context)
