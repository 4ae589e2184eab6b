"""The allocation list: filter by status, pool, team and threshold state; sort; search; CSV."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.ages import age_text, is_stale
from dashboard.charts import line_chart
from dashboard.filtersets import AllocationFilterSet
from dashboard.selectors.allocations import HISTORY_LIMIT, allocation_history, allocation_rows, with_threshold_state
from dashboard.selectors.forecasts import with_quota_forecasts
from dashboard.selectors.usage import CHART_DAYS, allocation_daily_usage
from dashboard.tables import HtmxHttpRequest, csv_filename, csv_response, paginate, render_list, wants_csv
from dashboard.units import prefers_binary


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


#: The fields the CSV columns above read, and no others. The list's rows carry every column of the allocation,
#: its project, team, pool, array and (for staff) two users; sorting 10,000 rows that wide spilled to disk
#: before the download's first line could be sent.
_CSV_FIELDS = (
    "project__code",
    "project__team__slug",
    "pool__array__name",
    "pool__slug",
    "status",
    "quota_bytes",
    "used_bytes",
    "pool__warning_threshold",
    "pool__critical_threshold",
    "usage_measured_at",
    "start_date",
    "end_date",
    "quota_id",
)
_STAFF_CSV_FIELDS = ("requested_by__username", "approved_by__username", "justification")


def allocation_csv(filename: str, rows, *, staff: bool):
    """*rows* (allocation_rows, perhaps without their threshold state) as a streamed CSV download."""
    fields = _CSV_FIELDS + (_STAFF_CSV_FIELDS if staff else ())
    return csv_response(filename, allocation_csv_columns(staff=staff), with_threshold_state(rows).only(*fields))


def allocation_list(request: HtmxHttpRequest) -> HttpResponse:
    staff = request.user.is_staff
    rows = allocation_rows(staff=staff, threshold_state=False)
    filterset = AllocationFilterSet(request.GET or None, queryset=rows, request=request)
    rows = filterset.qs
    if wants_csv(request):
        return allocation_csv(csv_filename("allocations", request=request), rows, staff=staff)
    page_obj = paginate(request, rows)
    page_obj.object_list = with_quota_forecasts(page_obj.object_list)  # days until each quota is full
    context = {
        "filterset": filterset,
        "page_obj": page_obj,
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
    }
    return render_list(request, "dashboard/allocations/list.html", context)


def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One allocation: its figures, limits and drift, usage chart and the history of its changes.

    Everyone who may see the allocation lists may see this page; the requester, approver,
    justification and who made each change are for staff only (as in the tables). Three queries of its own
    (the allocation, its daily usage, its history) whatever the size of either.
    """
    staff = request.user.is_staff
    allocation = get_object_or_404(allocation_rows(staff=staff), pk=pk)
    now = timezone.now()
    measured = allocation.usage_measured_at
    # The chart ends on the allocation's own latest report, so a quiet allocation's line is not squeezed.
    series = allocation_daily_usage(allocation.pk, end=measured.date() if measured else None)
    context = {
        "allocation": allocation,
        "page_title": _("%(project)s on %(pool)s") % {"project": allocation.project.code, "pool": allocation.pool.name},
        "report_age": age_text(measured, now=now) if measured else None,
        "stale": is_stale(allocation, now=now),
        "staleness_days": settings.CAPACITY_STALENESS_DAYS,
        "chart": line_chart(
            series,
            title=_("%(project)s on %(pool)s: used per day, last %(days)d days")
            % {"project": allocation.project.code, "pool": allocation.pool.name, "days": CHART_DAYS},
            chart_id="allocation-usage",
            quota=allocation.quota_bytes or None,
            binary=prefers_binary(request),
        ),
        "history": allocation_history(allocation.pk),
        "history_limit": HISTORY_LIMIT,
    }
    return render(request, "dashboard/allocations/detail.html", context)
