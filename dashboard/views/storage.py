"""Storage pages: every array with its pools, one array, one pool.

Each page runs a fixed number of queries: the capacity figures (one query for
every level, dashboard.selectors.storage), the forecasts (one query), the model
row for the header, and the allocations table (count + page).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from dashboard.chart_controls import chart_options, render_chart, wants_chart_only
from dashboard.filtersets import AllocationFilterSet
from dashboard.forecast import DEFAULT_WINDOW_DAYS
from dashboard.selectors.allocations import allocation_rows
from dashboard.selectors.forecasts import pool_forecasts, with_quota_forecasts
from dashboard.selectors.storage import capacity_figures
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
from dashboard.usage_charts import pool_chart
from dashboard.views.allocations import allocation_csv_columns
from inventory.models import StorageArray, StoragePool


def _with_forecasts(pools: list[dict], forecasts: dict) -> list[dict]:
    """Each pool row with its forecast under ``forecast`` (a lookup, no arithmetic)."""
    return [{**pool, "forecast": forecasts.get(pool["pool_id"])} for pool in pools]


def storage_list(request: HtmxHttpRequest) -> HttpResponse:
    figures = capacity_figures()
    forecasts = pool_forecasts()
    pools = _with_forecasts(figures.pools, forecasts)
    by_array: dict[int, list[dict]] = {}
    for pool in pools:
        by_array.setdefault(pool["array_id"], []).append(pool)
    arrays = [{**array, "pools": by_array.get(array["array_id"], [])} for array in figures.arrays]
    context = {"figures": figures, "arrays": arrays, "forecast_window_days": DEFAULT_WINDOW_DAYS}
    return render(request, "dashboard/storage/list.html", context)


def _allocation_filterset(request: HtmxHttpRequest, *, pools=None, **scope) -> AllocationFilterSet:
    """The allocations on one array or pool, filtered and sorted like the allocation list.

    *pools*, when given, narrows the pool filter's choices to the pools on this page.
    """
    queryset = allocation_rows(staff=request.user.is_staff).filter(**scope)
    filterset = AllocationFilterSet(request.GET or None, queryset=queryset, request=request)
    if pools is not None:
        # Before the form exists: django-filter builds the field (and validates) from this queryset.
        filterset.filters["pool"].queryset = pools
    return filterset


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
    return csv_response(filename, allocation_csv_columns(staff=request.user.is_staff), filterset.qs)


def array_detail(request: HtmxHttpRequest, array: str) -> HttpResponse:
    storage_array = get_object_or_404(StorageArray.objects.select_related("site"), slug=array)
    filterset = _allocation_filterset(
        request,
        pool__array=storage_array,
        pools=StoragePool.objects.filter(array=storage_array)
        .select_related("array")
        .only("slug", "name", "array__name"),
    )
    if wants_csv(request):
        return _csv(request, filterset, "array", storage_array.slug)
    context = {"array": storage_array, **_allocation_table(request, filterset)}
    if not wants_table_only(request):  # htmx asked for the table alone: skip the figures
        figures = capacity_figures(array_id=storage_array.pk)
        forecasts = pool_forecasts(pool_ids=[pool["pool_id"] for pool in figures.pools])
        context |= {
            "figures": figures.arrays[0] if figures.arrays else {},
            "pools": _with_forecasts(figures.pools, forecasts),
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
