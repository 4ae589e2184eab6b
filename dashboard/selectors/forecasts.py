"""The pool forecasts' query: a least-squares line per pool through its daily rollup (dashboard/forecast.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from dashboard.forecast import DEFAULT_WINDOW_DAYS, PoolForecast, window_start

# Day numbers (days since 2000-01-01) keep x small, so double precision loses nothing.
_FORECAST_SQL = """
WITH trend AS (
    SELECT d.pool_id,
           regr_count(d.physical_used_bytes, d.day - DATE '2000-01-01') AS points,
           regr_slope(d.physical_used_bytes, d.day - DATE '2000-01-01') AS slope,
           (array_agg(d.physical_used_bytes ORDER BY d.day DESC))[1] AS latest
    FROM inventory_pooldailyusage d
    WHERE d.day >= %(first_day)s AND d.day <= %(last_day)s AND d.allocations > 0 {pool_filter}
    GROUP BY d.pool_id
)
SELECT p.id,
       COALESCE(t.points, 0),
       t.slope,
       t.latest,
       CASE WHEN t.points >= 2 AND t.slope > 0
            THEN GREATEST(p.capacity_bytes - t.latest, 0) / t.slope
       END AS days_until_full
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
