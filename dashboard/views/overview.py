"""The overview page: fleet totals, utilisation, the teams using most and what needs attention.

A fixed number of queries whatever the data size: one for every capacity figure
(fleet, sites, arrays, pools), one for every pool's forecast, one per list.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.forecast import DEFAULT_WINDOW_DAYS, horizon_days
from dashboard.selectors import overview as selectors
from dashboard.selectors.forecasts import pool_forecasts
from dashboard.selectors.storage import capacity_figures

#: How many pools the overview lists by utilisation and by forecast (the storage page has them all).
POOL_LIMIT = 10
#: Up to this many arrays the overview lists them all (by site and name); beyond, the fullest this many.
ARRAY_LIMIT = 10


def _fullest(rows: list[dict]) -> list[dict]:
    """The fullest first; a row with no usable capacity has no percentage and goes last."""
    return sorted(rows, key=lambda row: (row["used_percent"] is not None, row["used_percent"] or 0), reverse=True)


def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.now().date()
    forecasts = pool_forecasts()  # soonest full first
    filling = [forecast for forecast in forecasts.values() if forecast.filling]
    # Only pools full within the horizon: one full in 2057 is not "nearing full".
    horizon = horizon_days()
    soon = [forecast for forecast in filling if forecast.full_within(horizon)]
    # The fullest arrays and pools and those nearing full: a few rows, however many pools there are.
    figures = capacity_figures(
        fullest=max(POOL_LIMIT, ARRAY_LIMIT), keep_pools=[forecast.pool_id for forecast in soon[:POOL_LIMIT]]
    )
    pools_by_id = {pool["pool_id"]: pool for pool in figures.pools}
    nearing_full = [
        {**pools_by_id[forecast.pool_id], "forecast": forecast}
        for forecast in soon[:POOL_LIMIT]
        if forecast.pool_id in pools_by_id  # a pool created between the two queries has no figures yet
    ]
    busiest_pools = _fullest(figures.pools)[:POOL_LIMIT]
    # With 160 arrays the table of every array was most of the page: the fullest ten, the rest one link away.
    array_count = figures.array_count or 0
    busiest_arrays = figures.arrays if array_count <= ARRAY_LIMIT else _fullest(figures.arrays)[:ARRAY_LIMIT]
    attention = selectors.attention_lists(today=today, staff=request.user.is_staff)
    context = {
        "figures": figures,
        "fleet": figures.fleet,
        "busiest_pools": busiest_pools,
        "busiest_arrays": busiest_arrays,
        "array_count": array_count,
        "pool_count": figures.pool_count or 0,
        "nearing_full": nearing_full,
        "forecast_window_days": DEFAULT_WINDOW_DAYS,
        "horizon_days": horizon,
        "filling_later": len(filling) - len(soon),
        "top_teams": selectors.top_teams(),
        "near_quota": attention.near_quota,
        "ending_soon": attention.ending_soon,
        "ending_within_days": selectors.ENDING_WITHIN_DAYS,
        "pending_requests": attention.pending_requests,
    }
    return render(request, "dashboard/overview.html", context)
