"""Days until a pool is full: a least-squares line through its recent daily usage.

The rule (shared DOMAIN.md, "Thresholds and forecasts"): fit a straight line to
the usage of a recent window (default 30 days); days until full = (limit − latest
used) ÷ slope per day. With fewer than two points, or a slope ≤ 0, there is no
forecast ("not filling"), never a negative or infinite number.

Choices made here, so that the page, the SQL and the reference agree:

* **The series** is one point per UTC day: the sum over the pool's allocations of
  the usage samples measured that day. Usage reports carry one sample per quota
  per run and reports arrive daily; an allocation sampled twice in one day would
  count twice (a per-allocation-per-day step would make the query ~7× slower on
  the benchmark data, see the lead's report).
* **Physical, not logical**: the limit is the pool's usable capacity, which is
  disk space, so each sample counts its physical used bytes when the storage
  system reported them and its logical used bytes otherwise (COALESCE). A flash
  pool with 2 : 1 data reduction therefore fills at the rate its disks fill.
* **Latest used** is the last point of the series (the most recent day's sum),
  as in the reference function; a pool already at or past its limit has 0 days.
* **The window** is whole UTC days: from midnight *window_days − 1* days ago up
  to now, so that the first day is not a partial sum. The bound is a plain range
  on ``measured_at``, so PostgreSQL uses the ``sample_measured_at`` index and
  reads only the window, whatever the history size.

The regression runs in PostgreSQL (``regr_slope``/``regr_count`` over a GROUP BY
day subquery), one query for every pool. :func:`least_squares_days_until_full`
is the pure-Python reference the tests check the SQL against.

The SQL reads every sample of the window (1.2 million rows on the benchmark
data, a few hundred milliseconds), so :func:`cached_pool_forecasts` keeps the
result in Django's cache under a key that changes whenever a usage sample is
added or a pool or allocation is edited (one cheap query of three index-backed
``max()`` values): pages then pay for the regression once per change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

DEFAULT_WINDOW_DAYS = 30
#: Edits that bypass the history tables (queryset.update) still show within this many seconds.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class PoolForecast:
    """The fitted usage trend of one pool over the window."""

    pool_id: int
    points: int
    slope_bytes_per_day: float | None
    latest_used_bytes: int | None
    days_until_full: float | None

    @property
    def filling(self) -> bool:
        """True when there is a forecast: at least two days of usage and a rising line."""
        return self.days_until_full is not None


def least_squares_days_until_full(points: Iterable[tuple[float, float]], limit: int) -> float | None:
    """Reference: days until *limit* for ``(day, used_bytes)`` points, or None when not filling.

    Fits ``used = a + slope × day`` by ordinary least squares; "latest used" is the
    *y* of the point with the largest *x*. Returns None with fewer than two points
    (or all on one day) or a slope ≤ 0; 0.0 when already at or past the limit.
    """
    pts: Sequence[tuple[float, float]] = [(float(x), float(y)) for x, y in points]
    n = len(pts)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in pts) / n
    mean_y = sum(y for _, y in pts) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in pts) / sxx
    if slope <= 0:
        return None
    latest = max(pts, key=lambda point: point[0])[1]
    return max(limit - latest, 0.0) / slope


def window_start(now: dt.datetime | None = None, window_days: int = DEFAULT_WINDOW_DAYS) -> dt.datetime:
    """Midnight UTC at the start of the window: today and the *window_days* − 1 days before it."""
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    return dt.datetime.combine(today - dt.timedelta(days=window_days - 1), dt.time.min, tzinfo=dt.UTC)


# Day numbers (days since 2000-01-01) keep x small, so double precision loses nothing.
# The day is taken in UTC whatever the session time zone.
_FORECAST_SQL = """
WITH daily AS (
    SELECT a.pool_id,
           ((s.measured_at AT TIME ZONE 'UTC')::date - DATE '2000-01-01') AS day,
           SUM(COALESCE(s.physical_used_bytes, s.used_bytes)) AS used
    FROM inventory_usagesample s
    JOIN inventory_allocation a ON a.id = s.allocation_id
    WHERE s.measured_at >= %(since)s {pool_filter}
    GROUP BY a.pool_id, day
), trend AS (
    SELECT pool_id,
           regr_count(used, day) AS points,
           regr_slope(used, day) AS slope,
           (array_agg(used ORDER BY day DESC))[1] AS latest
    FROM daily
    GROUP BY pool_id
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
    params: dict[str, object] = {"since": window_start(now, window_days)}
    pool_filter = where = ""
    if pool_ids is not None:
        params["pool_ids"] = list(pool_ids)
        pool_filter = "AND a.pool_id = ANY(%(pool_ids)s)"
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


_VERSION_SQL = """
SELECT (SELECT MAX(id) FROM inventory_usagesample),
       (SELECT MAX(history_id) FROM inventory_historicalallocation),
       (SELECT MAX(history_id) FROM inventory_historicalstoragepool),
       (SELECT MAX(id) FROM inventory_storagepool)
"""


def cached_pool_forecasts(*, window_days: int = DEFAULT_WINDOW_DAYS) -> dict[int, PoolForecast]:
    """:func:`pool_forecasts` for every pool, recomputed only when the data or the day changes.

    One query (index-backed maxima) on a cache hit, two on a miss.
    """
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        version = cursor.fetchone()
    now = timezone.now()
    start = window_start(now, window_days)
    key = "dashboard:forecast:{}:{}:{}".format(window_days, start.date().isoformat(), ":".join(map(str, version)))
    forecasts = cache.get(key)
    if forecasts is None:
        forecasts = pool_forecasts(window_days=window_days, now=now)
        cache.set(key, forecasts, CACHE_SECONDS)
    return forecasts
