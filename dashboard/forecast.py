"""Days until a pool is full: a least-squares line through its recent daily usage.

The rule (docs/domain.md, "Thresholds and forecasts"): fit a straight line to
the usage of a recent window (default 30 days); days until full = (limit − latest
used) ÷ slope per day. With fewer than two points, or a slope ≤ 0, there is no
forecast ("not filling"), never a negative or infinite number.

Choices made here, so that the page, the SQL and the reference agree:

* **The series** is one point per UTC day: the pool's daily usage rollup
  (``PoolDailyUsage``, a day's figure as inventory/daily_usage.py defines it), on the
  days on which at least one allocation reported. Reading the rollup instead of the
  samples keeps the query at one row per pool and day, whatever the number of samples.
* **Physical, not logical**: the limit is the pool's usable capacity, which is
  disk space, so the series is the rollup's ``physical_used_bytes``: physical used
  where the storage system reported it, logical otherwise. A flash pool with
  2 : 1 data reduction therefore fills at the rate its disks fill.
* **Latest used** is the last point of the series (the most recent day), as in
  the reference function; a pool already at or past its limit has 0 days.
* **The window** is whole UTC days: today and the *window_days* − 1 days before
  it, as a plain range on ``day``.

The regression runs in PostgreSQL (dashboard/selectors/forecasts.py: ``regr_slope``
over the daily rows, grouped by pool), one query for every pool whatever the data size.
:func:`least_squares_days_until_full` is the pure-Python reference the tests
check the SQL against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

DEFAULT_WINDOW_DAYS = 30


class _Trend:
    """What a pool's and an allocation's forecast share: the slope and whether it is filling."""

    slope_bytes_per_day: float | None
    days_until_full: float | None

    @property
    def growth_bytes_per_day(self) -> int | None:
        """The fitted slope in whole bytes per day (for display; capacities are integers)."""
        return None if self.slope_bytes_per_day is None else round(self.slope_bytes_per_day)

    @property
    def filling(self) -> bool:
        """True when there is a forecast: at least two days of usage and a rising line."""
        return self.days_until_full is not None


@dataclass(frozen=True)
class PoolForecast(_Trend):
    """The fitted usage trend of one pool over the window (limit: its usable capacity, physical used)."""

    pool_id: int
    points: int
    slope_bytes_per_day: float | None
    latest_used_bytes: int | None
    days_until_full: float | None


@dataclass(frozen=True)
class AllocationForecast(_Trend):
    """The same rule for one allocation: its daily used (logical, as quotas count it) against its quota."""

    allocation_id: int
    points: int
    slope_bytes_per_day: float | None
    latest_used_bytes: int | None
    days_until_full: float | None


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
