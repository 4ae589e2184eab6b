"""One definition of a day's usage for a pool, team or project (docs/domain.md, "Latest known value").

Storage systems report on their own schedules, so a day's figure adds, for every allocation that counts
that day, its latest known value at the end of the day: the last sample of that day, or else of an
earlier day carried forward for up to the staleness limit (``CAPACITY_STALENESS_DAYS``, default 7: a
sample of day D counts on days D to D + 6). An allocation with no such sample is *not reporting* that day:
it is counted, not added, and never looks like a fall in usage.

An allocation counts on a day from its start date (or earlier, where it reported) while it is active; an
expired or revoked one still counts on the days up to its end date (it was promised then), so history does
not change when an allocation ends. Requested and denied allocations never count.

``carried_usage_sql`` returns the rows (day, allocation, its pool, project and team, used, physical used)
that the project chart and the forecasts group on the fly. ``carried_values_sql`` is its carried values
alone, of every allocation whatever its status: the rollups (inventory/services/rollups.py) store them once
per refresh and read them twice, through ``counted_usage_sql`` (the same rows as ``carried_usage_sql``,
grouped by pool and team) and for showback's monthly rollup, which inventory/showback.py applies the same
counting rules to.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings

# The carried values themselves, of the allocations the CTE named {allocations} holds: one definition,
# read by the day's figures below and, through carried_values_sql, by the rollups.
# A sample is the last of its day when the allocation's next sample (in time) falls on a later day, and that
# next sample's day is the next day with a sample: one pass over each allocation's samples in time order
# answers both.
_CARRIED = """
last_of_day AS (
    SELECT allocation_id, day, used_bytes, physical_used_bytes, next_day
      FROM (SELECT s.allocation_id,
                   (s.measured_at AT TIME ZONE 'UTC')::date AS day,
                   s.used_bytes,
                   coalesce(s.physical_used_bytes, s.used_bytes) AS physical_used_bytes,
                   lead((s.measured_at AT TIME ZONE 'UTC')::date)
                       OVER (PARTITION BY s.allocation_id ORDER BY s.measured_at) AS next_day
              -- The allocations in id order, each one's samples in time order (an index range each): the
              -- window's sort then finds its input in order already.
              FROM (SELECT id FROM {allocations} ORDER BY id) w
              JOIN LATERAL (
                    SELECT * FROM inventory_usagesample s
                     WHERE s.allocation_id = w.id
                       AND s.measured_at >= %(read_from)s AND s.measured_at < %(read_to)s
                     ORDER BY s.measured_at) s ON true) samples
     WHERE next_day IS DISTINCT FROM day
), carried AS (
    -- Each day's last sample holds until the next day with a sample, for at most the staleness limit.
    -- (A fixed series joined, rather than one series per row: the planner then knows how many rows come out.)
    SELECT v.allocation_id, v.day + g.n AS day, v.used_bytes, v.physical_used_bytes
      FROM last_of_day v
      JOIN generate_series(0, %(stale_days)s - 1) AS g(n) ON g.n < coalesce(v.next_day - v.day, %(stale_days)s)
)"""

# The allocations that count on some day (docs/domain.md): requested and denied ones never do.
_COUNTED = """
counted AS (
    SELECT a.id, a.pool_id, a.project_id, p.team_id, a.start_date, a.end_date, a.status
      FROM inventory_allocation a
      JOIN inventory_researchproject p ON p.id = a.project_id
     WHERE (a.status = 'active' OR (a.status IN ('expired', 'revoked') AND a.end_date IS NOT NULL))
       {scope}
)"""

# Every counted allocation on each of the days, with its carried value from {carried} (none: not reporting).
_COUNTED_DAYS = """
SELECT d.day, c.id AS allocation_id, c.pool_id, c.project_id, c.team_id, k.used_bytes, k.physical_used_bytes
  FROM unnest(%(days)s::date[]) AS d(day)
  JOIN counted c ON c.status = 'active' OR c.end_date >= d.day
  LEFT JOIN {carried} k ON k.allocation_id = c.id AND k.day = d.day
 -- Before its start date an allocation counts only where it reported (a report is evidence of use).
 WHERE c.start_date <= d.day OR k.used_bytes IS NOT NULL
"""

_CARRIED_USAGE = (
    "WITH"
    + _COUNTED
    + ","
    + _CARRIED.replace("{allocations}", "counted")
    + _COUNTED_DAYS.replace("{carried}", "carried")
)

# Every allocation's carried value on every day from %(first)s to %(last)s that has one, whatever its status
# and dates: which of those days count is the reader's to say (the day's figures, inventory/showback.py).
_CARRIED_VALUES = (
    """
WITH wanted AS (
    SELECT a.id FROM inventory_allocation a JOIN inventory_researchproject p ON p.id = a.project_id WHERE true {scope}
),"""
    + _CARRIED.replace("{allocations}", "wanted")
    + """
SELECT allocation_id, day, used_bytes, physical_used_bytes
  FROM carried
 WHERE day BETWEEN %(first)s AND %(last)s
"""
)


def stale_days() -> int:
    return settings.CAPACITY_STALENESS_DAYS


def carried_usage_sql(days: Iterable[datetime.date], *, scope: str = "") -> tuple[str, dict]:
    """The query (and its named parameters) of every counted allocation's carried value on each of *days*.

    *scope* is an extra SQL condition on the allocations ``a`` / projects ``p`` (e.g.
    ``"AND a.project_id = %(project_id)s"``); its parameters are the caller's to add.
    """
    day_list = sorted(set(days))
    stale = stale_days()
    first, last = day_list[0], day_list[-1]
    params = {
        "days": day_list,
        "stale_days": stale,
        "read_from": _start_of(first - datetime.timedelta(days=stale - 1)),
        "read_to": _start_of(last + datetime.timedelta(days=1)),
    }
    return _CARRIED_USAGE.format(scope=scope), params


def counted_usage_sql(days: Iterable[datetime.date], *, carried: str, scope: str = "") -> tuple[str, dict]:
    """The rows of carried_usage_sql, reading the carried values from the table *carried* (filled from
    carried_values_sql for these days and allocations) instead of working them out from the samples."""
    day_list = sorted(set(days))
    sql = "WITH" + _COUNTED.format(scope=scope) + _COUNTED_DAYS.replace("{carried}", carried)
    return sql, {"days": day_list}


def carried_values_sql(first: datetime.date, last: datetime.date, *, scope: str = "") -> tuple[str, dict]:
    """The query (and its named parameters) of the carried value ``(allocation_id, day, used_bytes,
    physical_used_bytes)`` of every allocation on every day from *first* to *last* on which it has one.

    Unlike carried_usage_sql it does not ask whether the allocation counts on that day (its status, start and
    end dates): the reader does. *scope* is an extra SQL condition on the allocations ``a`` / projects ``p``.
    """
    stale = stale_days()
    params = {
        "first": first,
        "last": last,
        "stale_days": stale,
        "read_from": _start_of(first - datetime.timedelta(days=stale - 1)),
        "read_to": _start_of(last + datetime.timedelta(days=1)),
    }
    return _CARRIED_VALUES.format(scope=scope), params


def days_affected_by(sample_days: Iterable[datetime.date], *, today: datetime.date) -> list[datetime.date]:
    """The days whose figures a sample of any of *sample_days* can change: it carries forward (up to today)."""
    affected: set[datetime.date] = set()
    stale = stale_days()
    for day in set(sample_days):
        for offset in range(stale):
            carried = day + datetime.timedelta(days=offset)
            if carried > max(today, day):
                break
            affected.add(carried)
    return sorted(affected)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
