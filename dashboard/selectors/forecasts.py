"""The forecasts' queries: a least-squares line per pool through its daily rollup, and per allocation through
its daily figure (dashboard/forecast.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from dashboard.forecast import DEFAULT_WINDOW_DAYS, AllocationForecast, PoolForecast, window_start
from inventory.daily_usage import carried_usage_sql

#: Days until full, once for every forecast: (limit − latest) ÷ slope, only with two points and a rising line.
#: Rounded to a millionth of a day: regr_slope sums in floating point in whatever order the rows come, so an
#: exact 41 days could otherwise come out as 40.9999999 one time and 41.0000001 the next, and show as 40 or 41.
DAYS_UNTIL_FULL_SQL = (
    "CASE WHEN {points} >= 2 AND {slope} > 0"
    " THEN round((GREATEST({limit} - {latest}, 0) / {slope})::numeric, 6)::double precision END"
)

# Day numbers (days since 2000-01-01) keep x small, so double precision loses nothing. The latest value is
# the second element of the greatest [day number, value] pair (arrays compare element by element, and a
# pool has one row a day): one pass, where array_agg(... ORDER BY day DESC) sorted every pool's rows.
_FORECAST_SQL = """
WITH trend AS (
    SELECT d.pool_id,
           regr_count(d.physical_used_bytes, d.day - DATE '2000-01-01') AS points,
           regr_slope(d.physical_used_bytes, d.day - DATE '2000-01-01') AS slope,
           (max(ARRAY[d.day - DATE '2000-01-01', d.physical_used_bytes]))[2] AS latest,
           max(d.day) AS latest_day
    FROM inventory_pooldailyusage d
    WHERE d.day >= %(first_day)s AND d.day <= %(last_day)s AND d.allocations > 0 {pool_filter}
    GROUP BY d.pool_id
)
SELECT p.id,
       COALESCE(t.points, 0),
       t.slope,
       t.latest,
       {days_until_full} AS days_until_full,
       t.latest_day
FROM inventory_storagepool p
LEFT JOIN trend t ON t.pool_id = p.id
{where}
ORDER BY days_until_full ASC NULLS LAST, p.id
"""


def pool_forecasts(
    *, pool_ids: Iterable[int] | None = None, window_days: int = DEFAULT_WINDOW_DAYS, now: dt.datetime | None = None
) -> dict[int, PoolForecast]:
    """Every pool's forecast (or only *pool_ids*'), in one query, soonest full first.

    Pools without usage in the window are included with ``points == 0`` and no forecast.
    """
    first = window_start(now, window_days)
    params: dict[str, object] = {
        "first_day": first.date(),
        "last_day": first.date() + dt.timedelta(days=window_days - 1),
    }
    pool_filter = where = ""
    if pool_ids is not None:
        params["pool_ids"] = list(pool_ids)
        pool_filter = "AND d.pool_id = ANY(%(pool_ids)s)"
        where = "WHERE p.id = ANY(%(pool_ids)s)"
    days_until_full = DAYS_UNTIL_FULL_SQL.format(
        points="t.points", slope="t.slope", limit="p.capacity_bytes", latest="t.latest"
    )
    sql = _FORECAST_SQL.format(pool_filter=pool_filter, where=where, days_until_full=days_until_full)
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
            latest_day=latest_day,
        )
        for pool_id, points, slope, latest, days, latest_day in rows
    }


# One allocation's daily figure (inventory/daily_usage.py) over the window, fitted like a pool's rollup.
_ALLOCATION_FORECAST_SQL = """
WITH carried AS ({carried}), trend AS (
    SELECT allocation_id,
           regr_count(used_bytes, day - DATE '2000-01-01') AS points,
           regr_slope(used_bytes, day - DATE '2000-01-01') AS slope,
           (max(ARRAY[day - DATE '2000-01-01', used_bytes]))[2] AS latest
    FROM carried
    WHERE used_bytes IS NOT NULL
    GROUP BY allocation_id
)
SELECT t.allocation_id, t.points, t.slope, {days_until_full}
FROM trend t
JOIN inventory_allocation a ON a.id = t.allocation_id
"""


def allocation_forecasts(
    allocation_ids: Iterable[int], *, window_days: int = DEFAULT_WINDOW_DAYS, now: dt.datetime | None = None
) -> dict[int, AllocationForecast]:
    """Days until each allocation's usage reaches its quota, from its last *window_days* days (one query)."""
    ids = list(allocation_ids)
    if not ids:
        return {}
    first = window_start(now, window_days).date()
    carried, params = carried_usage_sql(
        [first + dt.timedelta(days=n) for n in range(window_days)], scope="AND a.id = ANY(%(allocation_ids)s)"
    )
    params["allocation_ids"] = ids
    days_until_full = DAYS_UNTIL_FULL_SQL.format(
        points="t.points", slope="t.slope", limit="a.quota_bytes", latest="t.latest"
    )
    with connection.cursor() as cursor:
        cursor.execute(_ALLOCATION_FORECAST_SQL.format(carried=carried, days_until_full=days_until_full), params)
        rows = cursor.fetchall()
    return {
        allocation_id: AllocationForecast(allocation_id, points, slope, days)
        for allocation_id, points, slope, days in rows
    }


def with_quota_forecasts(allocations) -> list:
    """The page's allocations, each with ``quota_forecast`` (an AllocationForecast or None): one query."""
    rows = list(allocations)
    forecasts = allocation_forecasts([row.pk for row in rows])
    for row in rows:
        row.quota_forecast = forecasts.get(row.pk)
    return rows
