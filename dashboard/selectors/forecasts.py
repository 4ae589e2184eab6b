"""The forecasts' queries: a least-squares line per pool (daily rollup) or allocation (carried days); dashboard/forecast.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from dashboard.forecast import DEFAULT_WINDOW_DAYS, AllocationForecast, PoolForecast, window_start
from inventory.daily_usage import carried_usage_sql

# The rule of dashboard/forecast.py in SQL, shared by the pool and the allocation forecasts: a least-squares
# line through (day, used) and the latest used; days until full = (limit − latest) ÷ slope when rising.
# Day numbers (days since 2000-01-01) keep x small, so double precision loses nothing.
_TREND_COLUMNS = """
           regr_count({used}, {day} - DATE '2000-01-01') AS points,
           regr_slope({used}, {day} - DATE '2000-01-01') AS slope,
           (array_agg({used} ORDER BY {day} DESC))[1] AS latest"""
_DAYS_UNTIL_FULL = """CASE WHEN t.points >= 2 AND t.slope > 0
            THEN GREATEST({limit} - t.latest, 0) / t.slope
       END"""

_FORECAST_SQL = (
    """
WITH trend AS (
    SELECT d.pool_id,"""
    + _TREND_COLUMNS.format(used="d.physical_used_bytes", day="d.day")
    + """
    FROM inventory_pooldailyusage d
    WHERE d.day >= %(first_day)s AND d.day <= %(last_day)s AND d.allocations > 0 {pool_filter}
    GROUP BY d.pool_id
)
SELECT p.id,
       COALESCE(t.points, 0),
       t.slope,
       t.latest,
       """
    + _DAYS_UNTIL_FULL.format(limit="p.capacity_bytes")
    + """ AS days_until_full
FROM inventory_storagepool p
LEFT JOIN trend t ON t.pool_id = p.id
{where}
ORDER BY days_until_full ASC NULLS LAST, p.id
"""
)

# An allocation has no rollup of its own: its days are the carried values of inventory/daily_usage.py (the
# rows the pool and team rollups add up), limited to the allocations asked about.
_ALLOCATION_FORECAST_SQL = (
    """
WITH carried AS ({carried}),
trend AS (
    SELECT c.allocation_id,"""
    + _TREND_COLUMNS.format(used="c.used_bytes", day="c.day")
    + """
    FROM carried c
    WHERE c.used_bytes IS NOT NULL
    GROUP BY c.allocation_id
)
SELECT a.id, COALESCE(t.points, 0), t.slope, t.latest, """
    + _DAYS_UNTIL_FULL.format(limit="a.quota_bytes")
    + """
FROM inventory_allocation a
LEFT JOIN trend t ON t.allocation_id = a.id
WHERE a.id = ANY(%(allocation_ids)s)
"""
)


def _window_days(now: dt.datetime | None, window_days: int) -> tuple[dt.date, dt.date]:
    first = window_start(now, window_days).date()
    return first, first + dt.timedelta(days=window_days - 1)


def pool_forecasts(
    *, pool_ids: Iterable[int] | None = None, window_days: int = DEFAULT_WINDOW_DAYS, now: dt.datetime | None = None
) -> dict[int, PoolForecast]:
    """Every pool's forecast (or only *pool_ids*'), in one query, soonest full first.

    Pools without usage in the window are included with ``points == 0`` and no forecast.
    """
    first_day, last_day = _window_days(now, window_days)
    params: dict[str, object] = {"first_day": first_day, "last_day": last_day}
    pool_filter = where = ""
    if pool_ids is not None:
        params["pool_ids"] = list(pool_ids)
        pool_filter = "AND d.pool_id = ANY(%(pool_ids)s)"
        where = "WHERE p.id = ANY(%(pool_ids)s)"
    sql = _FORECAST_SQL.format(pool_filter=pool_filter, where=where)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        pool_id: PoolForecast(
            pool_id=pool_id,
            points=points,
            slope_bytes_per_day=slope,
            latest_used_bytes=int(latest) if latest is not None else None,
            days_until_full=days,
        )
        for pool_id, points, slope, latest, days in rows
    }


def allocation_forecasts(
    allocation_ids: Iterable[int], *, window_days: int = DEFAULT_WINDOW_DAYS, now: dt.datetime | None = None
) -> dict[int, AllocationForecast]:
    """Days until each allocation's quota is full at its recent growth (the pools' rule), in one query.

    The series is the allocation's logical used per day (what its quota is compared with), carried forward as
    the daily figures are; no query at all for no allocations.
    """
    ids = sorted(set(allocation_ids))
    if not ids:
        return {}
    first_day, last_day = _window_days(now, window_days)
    days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    carried, params = carried_usage_sql(days, scope="AND a.id = ANY(%(allocation_ids)s)")
    params["allocation_ids"] = ids
    with connection.cursor() as cursor:
        cursor.execute(_ALLOCATION_FORECAST_SQL.format(carried=carried), params)
        rows = cursor.fetchall()
    return {
        allocation_id: AllocationForecast(
            allocation_id=allocation_id,
            points=points,
            slope_bytes_per_day=slope,
            latest_used_bytes=int(latest) if latest is not None else None,
            days_until_full=days_left,
        )
        for allocation_id, points, slope, latest, days_left in rows
    }
