"""Storage pages: every array with its pools, one array, one pool.

Each page runs a fixed number of queries: the capacity figures (one query for
every level, dashboard.selectors.storage), the forecasts (one query), the model
row for the header, and the allocations table (count + page).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from dashboard.chart_controls import chart_options, render_chart, wants_chart_only
from dashboard.filtersets import AllocationFilterSet
from dashboard.forecast import DEFAULT_WINDOW_DAYS
from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.forecasts import pool_forecasts, with_quota_forecasts
from dashboard.selectors.storage import capacity_figures, storage_arrays_in_order
from dashboard.tables import (
    HtmxHttpRequest,
    csv_filename,
    paginate,
    render_list,
    wants_csv,
    wants_table_only,
)
from dashboard.units import prefers_binary
from dashboard.usage_charts import pool_chart
from dashboard.views.allocations import allocation_csv
from inventory.models import StorageArray, StoragePool


def _with_forecasts(pools: list[dict], forecasts: dict) -> list[dict]:
    """Each pool row with its forecast under ``forecast`` (a lookup, no arithmetic)."""
    return [{**pool, "forecast": forecasts.get(pool["pool_id"])} for pool in pools]


#: Arrays per page of the storage list: each shows all its pools, so the page stays the same size
#: whatever the number of arrays (160 arrays with 600 pools took about 140 ms to render at once).
ARRAYS_PER_PAGE = 10
#: Pools per page of an array's pool table.
POOLS_PER_PAGE = 25


def storage_list(request: HtmxHttpRequest) -> HttpResponse:
    """Arrays with their pools, ten arrays a page: figures and forecasts of that page's arrays only."""
    page_obj = paginate(request, storage_arrays_in_order(), per_page=ARRAYS_PER_PAGE)
    array_ids = list(page_obj.object_list)
    figures = capacity_figures(array_ids=array_ids)
    forecasts = pool_forecasts(pool_ids=[pool["pool_id"] for pool in figures.pools])
    pools = _with_forecasts(figures.pools, forecasts)
    by_array: dict[int, list[dict]] = {}
    for pool in pools:
        by_array.setdefault(pool["array_id"], []).append(pool)
    arrays = [{**array, "pools": by_array.get(array["array_id"], [])} for array in figures.arrays]
    context = {"page_obj": page_obj, "arrays": arrays, "forecast_window_days": DEFAULT_WINDOW_DAYS}
    return render_list(request, "dashboard/storage/list.html", context)


def _allocation_filterset(request: HtmxHttpRequest, **scope) -> AllocationFilterSet:
    """The allocations on one array or pool, filtered and sorted like the allocation list."""
    queryset = allocation_rows(staff=request.user.is_staff, threshold_state=False).filter(**scope)
    return AllocationFilterSet(request.GET or None, queryset=queryset, request=request)


def _allocation_table(request: HtmxHttpRequest, filterset: AllocationFilterSet) -> dict:
    page_obj = paginate(request, filterset.qs)
    page_obj.object_list = with_quota_forecasts(page_obj.object_list)  # days until each quota is full
    return {
        "filterset": filterset,
        "page_obj": page_obj,
        "is_filtered": any(value for key, value in request.GET.items() if key not in ("sort", "page", "format")),
    }


def _csv(request: HtmxHttpRequest, filterset: AllocationFilterSet, *scope: str) -> HttpResponse:
    """Exactly the filtered, sorted rows as CSV (the allocation list's columns; bytes, not units)."""
    filename = csv_filename("allocations", *scope, request=request)
    return allocation_csv(filename, filterset.qs, staff=request.user.is_staff)


def array_detail(request: HtmxHttpRequest, array: str) -> HttpResponse:
    storage_array = get_object_or_404(StorageArray.objects.select_related("site"), slug=array)
    filterset = _allocation_filterset(request, pool__array=storage_array)
    if wants_csv(request):
        return _csv(request, filterset, "array", storage_array.slug)
    context = {"array": storage_array, **_allocation_table(request, filterset)}
    if not wants_table_only(request):  # htmx asked for the table alone: skip the figures
        figures = capacity_figures(array_id=storage_array.pk)
        # An array with hundreds of pools shows them a page at a time (?pools_page=), forecasts for those only.
        pools_page = Paginator(figures.pools, POOLS_PER_PAGE).get_page(request.GET.get("pools_page"))
        forecasts = pool_forecasts(pool_ids=[pool["pool_id"] for pool in pools_page.object_list])
        context |= {
            "figures": figures.arrays[0] if figures.arrays else {},
            "pools": _with_forecasts(pools_page.object_list, forecasts),
            "pools_page": pools_page,
            "forecast_window_days": DEFAULT_WINDOW_DAYS,
        }
    return render_list(request, "dashboard/storage/array_detail.html", context)


def pool_detail(request: HtmxHttpRequest, array: str, pool: str) -> HttpResponse:
    # A pool on another array is not found here: the URL names both.
    storage_pool = get_object_or_404(
        StoragePool.objects.select_related("array", "array__site"), slug=pool, array__slug=array
    )
    options = chart_options(request, chart_id="pool-usage-chart")
    if wants_chart_only(request, options):  # a period link: the chart's block alone
        forecast = pool_forecasts(pool_ids=[storage_pool.pk]).get(storage_pool.pk)
        return render_chart(
            request, pool_chart(storage_pool, forecast, options, binary=prefers_binary(request)), options
        )
    filterset = _allocation_filterset(request, pool=storage_pool)
    if wants_csv(request):
        return _csv(request, filterset, "pool", storage_pool.array.slug, storage_pool.slug)
    context = {"pool": storage_pool, "array": storage_pool.array, **_allocation_table(request, filterset)}
    if not wants_table_only(request):  # htmx asked for the table alone: skip the figures
        figures = capacity_figures(pool_id=storage_pool.pk)
        forecast = pool_forecasts(pool_ids=[storage_pool.pk]).get(storage_pool.pk)
        context |= {
            "figures": figures.pools[0] if figures.pools else {},
            "forecast": forecast,
            "chart": pool_chart(storage_pool, forecast, options, binary=prefers_binary(request)),
            "chart_options": options,
            "forecast_window_days": DEFAULT_WINDOW_DAYS,
        }
    return render_list(request, "dashboard/storage/pool_detail.html", context)
