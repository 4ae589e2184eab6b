"""Usage rollups, kept true by the usage-state service after every write of samples.

Why: a pool's forecast needs its daily usage over 30 days, and a team list its usage 7 and 30 days ago.
Working those out from raw samples reads millions of rows at national scale; the rollups hold one row per
pool or team and day, recomputed only for the days a write can change. Showback adds up every allocation's
daily usage over months: AllocationMonthlyUsage holds it per allocation and month, as running totals over
the month's days, recomputed for the months a write can change.

A day's figure is defined once, in inventory/daily_usage.py: every counted allocation's latest known value
that day, carried forward up to the staleness limit; the rest are counted as not reporting. Both rollups
read those carried values: a refresh works them out once, for the days and allocations either needs, into a
temporary table (``inventory_carried``), and derives the daily and the monthly rows from it.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from inventory.daily_usage import carried_values_sql, counted_usage_sql, stale_days

# Each pool's and each team's figures of each day, in one pass over the counted rows. A pool's row has no
# team and a team's row no pool (every allocation has a pool and every project a team).
_DAILY_INPUT = """
CREATE TEMPORARY TABLE inventory_rollup_input ON COMMIT DROP AS
SELECT pool_id, team_id, day,
       coalesce(sum(used_bytes), 0) AS used_bytes,
       coalesce(sum(physical_used_bytes), 0) AS physical_used_bytes,
       count(used_bytes) AS allocations,
       count(*) - count(used_bytes) AS not_reporting
  FROM ({counted}) AS counted_days
 GROUP BY GROUPING SETS ((pool_id, day), (team_id, day))
"""

# Rows that did not change are left alone (no dead tuples for a re-import).
_UPSERT = """
    INSERT INTO inventory_{table} ({key}, day, used_bytes, physical_used_bytes, allocations, not_reporting)
    SELECT {key}, day, used_bytes, physical_used_bytes, allocations, not_reporting
      FROM inventory_rollup_input
     WHERE {key} IS NOT NULL AND (%(groups)s::bigint[] IS NULL OR {key} = ANY(%(groups)s::bigint[]))
    ON CONFLICT ({key}, day) DO UPDATE
       SET used_bytes = EXCLUDED.used_bytes,
           physical_used_bytes = EXCLUDED.physical_used_bytes,
           allocations = EXCLUDED.allocations,
           not_reporting = EXCLUDED.not_reporting
     WHERE (inventory_{table}.used_bytes, inventory_{table}.physical_used_bytes, inventory_{table}.allocations,
            inventory_{table}.not_reporting)
           IS DISTINCT FROM (EXCLUDED.used_bytes, EXCLUDED.physical_used_bytes, EXCLUDED.allocations,
                             EXCLUDED.not_reporting)
"""

# A pool or team with no counted allocation left on a day (all ended, moved or deleted) has no figure.
_DELETE_EMPTY = """
    DELETE FROM inventory_{table} r
     WHERE r.day = ANY(%(days)s::date[])
       AND (%(groups)s::bigint[] IS NULL OR r.{key} = ANY(%(groups)s::bigint[]))
       AND NOT EXISTS (SELECT 1 FROM inventory_rollup_input i WHERE i.{key} = r.{key} AND i.day = r.day)
"""

_TABLES = (("pooldailyusage", "pool_id", "pools"), ("teamdailyusage", "team_id", "teams"))

_DAILY_SCOPE = "a.pool_id = ANY(%(pools)s::bigint[]) OR p.team_id = ANY(%(teams)s::bigint[])"
_MONTHLY_SCOPE = "a.id = ANY(%(ids)s::bigint[])"

# One allocation-month's running totals: every day of the month, with its carried value where it has one.
# The first %(kept)s days cannot have changed (the write's samples are all later): their running totals are
# kept from the row as it was (zeros where there was none), and only the days after them are worked out
# again, from the carried values, each running total starting from the last kept one. The carried values
# are read for those days only (the table holds other months' too).
_MONTHLY = """
WITH old AS (
    SELECT allocation_id,
           used_byte_days[1:%(kept)s] AS used_head, reported_days[1:%(kept)s] AS reported_head,
           coalesce(used_byte_days[%(kept)s], 0) AS used_base,
           coalesce(reported_days[%(kept)s], 0) AS reported_base
      FROM inventory_allocationmonthlyusage
     WHERE %(kept)s > 0 AND month = %(month)s
       AND (%(ids)s::bigint[] IS NULL OR allocation_id = ANY(%(ids)s::bigint[]))
), refreshed AS (
    SELECT allocation_id FROM old
     UNION
    SELECT allocation_id FROM inventory_carried
     WHERE day BETWEEN %(month)s + %(kept)s AND %(last)s
       AND (%(ids)s::bigint[] IS NULL OR allocation_id = ANY(%(ids)s::bigint[]))
), tail AS (
    SELECT allocation_id,
           array_agg(used ORDER BY n) AS used_tail,
           array_agg(reported ORDER BY n) AS reported_tail,
           max(reported) AS reported
      FROM (SELECT w.allocation_id, g.n,
                   coalesce(o.used_base, 0) + sum(coalesce(k.used_bytes, 0)) OVER running AS used,
                   coalesce(o.reported_base, 0) + count(k.used_bytes) OVER running AS reported
              FROM refreshed w
              LEFT JOIN old o ON o.allocation_id = w.allocation_id
             CROSS JOIN generate_series(%(kept)s + 1, %(days)s) AS g(n)
              LEFT JOIN inventory_carried k
                     ON k.allocation_id = w.allocation_id AND k.day = %(month)s + g.n - 1
                    AND k.day BETWEEN %(month)s + %(kept)s AND %(last)s
            WINDOW running AS (PARTITION BY w.allocation_id ORDER BY g.n)) d
     GROUP BY allocation_id
), fresh AS (
    SELECT t.allocation_id,
           coalesce(o.used_head, array_fill(0::numeric, ARRAY[%(kept)s])) || t.used_tail AS used_byte_days,
           coalesce(o.reported_head, array_fill(0::bigint, ARRAY[%(kept)s])) || t.reported_tail AS reported_days
      FROM tail t
      LEFT JOIN old o ON o.allocation_id = t.allocation_id
     -- An allocation with no value on any day of the month has no row.
     WHERE t.reported > 0
), written AS (
    INSERT INTO inventory_allocationmonthlyusage (allocation_id, month, used_byte_days, reported_days)
    SELECT allocation_id, %(month)s, used_byte_days, reported_days FROM fresh
    ON CONFLICT (month, allocation_id) DO UPDATE
       SET used_byte_days = EXCLUDED.used_byte_days, reported_days = EXCLUDED.reported_days
     WHERE (inventory_allocationmonthlyusage.used_byte_days, inventory_allocationmonthlyusage.reported_days)
           IS DISTINCT FROM (EXCLUDED.used_byte_days, EXCLUDED.reported_days)
)
-- An allocation with no value left on any day of the month has no row.
DELETE FROM inventory_allocationmonthlyusage r
 WHERE r.month = %(month)s
   AND (%(ids)s::bigint[] IS NULL OR r.allocation_id = ANY(%(ids)s::bigint[]))
   AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.allocation_id = r.allocation_id)
"""


@dataclass(frozen=True)
class _Daily:
    """Which pool and team rows to work out again: of these days, of these pools and teams (None: all)."""

    days: list[datetime.date]
    pools: list[int] | None = None
    teams: list[int] | None = None

    @classmethod
    def of(cls, days: Iterable[datetime.date], pools: Iterable[int] | None, teams: Iterable[int] | None) -> _Daily:
        """With *pools* or *teams* (either may be None then: none of that kind), only those groups' rows."""
        if pools is None and teams is None:
            return cls(sorted(set(days)))
        return cls(sorted(set(days)), sorted(set(pools or ())), sorted(set(teams or ())))

    @property
    def scoped(self) -> bool:
        return self.pools is not None or self.teams is not None


@dataclass(frozen=True)
class _Monthly:
    """Which monthly rows to work out again: each month's (key) from its first day that can have changed
    (value), of these allocations (None: every allocation's)."""

    changed: dict[datetime.date, datetime.date]
    allocations: list[int] | None = None

    @classmethod
    def of_samples(cls, sample_days: Iterable[datetime.date], allocations: list[int] | None) -> _Monthly:
        """The months samples of *sample_days* carry into (a sample of day D counts on days D to D + the
        staleness limit − 1, in this month or the next), each from the first day such a sample reaches."""
        stale = datetime.timedelta(days=stale_days() - 1)
        days = set(sample_days)
        months = sorted({_month_of(day) for sample in days for day in (sample, sample + stale)})
        changed = {month: max(month, min(d for d in days if d + stale >= month)) for month in months}
        return cls(changed, allocations)


def refresh_rollups(
    *,
    days: Iterable[datetime.date],
    sample_days: Iterable[datetime.date],
    allocations: Iterable[int],
    pools: Iterable[int] | None = None,
    teams: Iterable[int] | None = None,
) -> None:
    """After a write of samples of *sample_days* for *allocations*: the pool and team rollups of *days* (of
    *pools* and *teams* only, when given; else every pool's and team's) and the allocations' monthly rollups
    of the months their samples carry into, from one working-out of the carried values. One transaction."""
    ids = sorted(set(allocations))
    daily = _Daily.of(days, pools, teams)
    monthly = _Monthly.of_samples(sample_days, ids) if ids else None
    with transaction.atomic(), connection.cursor() as cursor:
        _refresh(cursor, daily=daily if daily.days else None, monthly=monthly)


def refresh_daily_usage(
    *,
    days: Iterable[datetime.date] | None = None,
    pools: Iterable[int] | None = None,
    teams: Iterable[int] | None = None,
) -> int:
    """Recompute the pool and team rollups for the given UTC days (every day from the first sample when None:
    then every month's AllocationMonthlyUsage too).

    With *pools* and *teams*, only those pools' and teams' rows are recomputed (an edit of one allocation's
    samples); otherwise every pool and team. Returns how many days were recomputed. One transaction.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if days is None:
            return _refresh_every(cursor, daily=True)
        daily = _Daily.of(days, pools, teams)
        if daily.days:
            _refresh(cursor, daily=daily, monthly=None)
    return len(daily.days)


def refresh_monthly_usage(
    *, sample_days: Iterable[datetime.date] | None = None, allocations: Iterable[int] | None = None
) -> int:
    """Recompute AllocationMonthlyUsage for the months samples of *sample_days* carry into (a sample of day D
    counts on days D to D + the staleness limit − 1, in this month or the next); every month from the first
    sample's when None. With *allocations*, only those allocations' rows (the rows depend on their own samples
    alone); otherwise every allocation's. Returns how many months were recomputed. One transaction.
    """
    ids = sorted(set(allocations)) if allocations is not None else None
    if ids == []:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if sample_days is None:
            return _refresh_every(cursor, daily=False, allocations=ids)
        monthly = _Monthly.of_samples(sample_days, ids)
        if monthly.changed:
            _refresh(cursor, daily=None, monthly=monthly)
    return len(monthly.changed)


def _refresh(cursor, *, daily: _Daily | None, monthly: _Monthly | None) -> None:
    """Store the carried values that *daily* and *monthly* read (the union of their days, of their
    allocations), then work out each from them."""
    spans = [(daily.days[0], daily.days[-1])] if daily else []
    if monthly:
        spans += [(changed, _last_day(month)) for month, changed in monthly.changed.items()]
    if not spans:
        return
    # The sorts and hashes over the carried values spill to disk with the default work_mem at national scale;
    # a JIT compile costs more than the work.
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL jit = off")
    scope, params = _wanted(daily, monthly)
    sql, carried_params = carried_values_sql(min(s[0] for s in spans), max(s[1] for s in spans), scope=scope)
    cursor.execute("DROP TABLE IF EXISTS inventory_carried")
    cursor.execute(f"CREATE TEMPORARY TABLE inventory_carried ON COMMIT DROP AS {sql}", {**carried_params, **params})
    # A new table has no statistics: without them the joins below are planned blind.
    cursor.execute("ANALYZE inventory_carried")
    if daily:
        _refresh_daily(cursor, daily)
    if monthly:
        _refresh_monthly(cursor, monthly)
    cursor.execute("DROP TABLE inventory_carried")


def _wanted(daily: _Daily | None, monthly: _Monthly | None) -> tuple[str, dict]:
    """The condition on allocations ``a`` / projects ``p`` whose carried values *daily* and *monthly* read."""
    if (daily and not daily.scoped) or (monthly and monthly.allocations is None):
        return "", {}
    conditions, params = [], {}
    if daily:
        conditions.append(_DAILY_SCOPE)
        params.update(pools=daily.pools or [], teams=daily.teams or [])
    if monthly:
        conditions.append(_MONTHLY_SCOPE)
        params.update(ids=monthly.allocations)
    return f"AND ({' OR '.join(conditions)})", params


def _refresh_daily(cursor, daily: _Daily) -> None:
    scope = f"AND ({_DAILY_SCOPE})" if daily.scoped else ""
    counted, params = counted_usage_sql(daily.days, carried="inventory_carried", scope=scope)
    if daily.scoped:
        params.update(pools=daily.pools or [], teams=daily.teams or [])
    cursor.execute("DROP TABLE IF EXISTS inventory_rollup_input")
    cursor.execute(_DAILY_INPUT.format(counted=counted), params)
    for table, key, group in _TABLES:
        # None: every pool's or team's rows.
        groups = getattr(daily, group)
        values = {"days": daily.days, "groups": groups}
        cursor.execute(_UPSERT.format(table=table, key=key), values)
        cursor.execute(_DELETE_EMPTY.format(table=table, key=key), values)
    cursor.execute("DROP TABLE inventory_rollup_input")


def _refresh_monthly(cursor, monthly: _Monthly) -> None:
    for month, changed in sorted(monthly.changed.items()):
        last = _last_day(month)
        params = {
            "month": month,
            "last": last,
            "days": last.day,
            "ids": monthly.allocations,
            "kept": (changed - month).days,
        }
        cursor.execute(_MONTHLY, params)


def _refresh_every(cursor, *, daily: bool, allocations: list[int] | None = None) -> int:
    """Every month's monthly rollups from the first sample's (of *allocations*, or every allocation), and with
    *daily* every day's pool and team rollups from the first sample's day to today: a month at a time, so
    that the carried values stored at once are one month's. Returns how many days (*daily*) or months."""
    cursor.execute("SELECT min(measured_at), max(measured_at) FROM inventory_usagesample")
    first, last = cursor.fetchone()
    if first is None:
        if allocations is None:
            cursor.execute("DELETE FROM inventory_allocationmonthlyusage")
        return 0
    first, last = first.astimezone(datetime.UTC).date(), last.astimezone(datetime.UTC).date()
    months = _months(first, last + datetime.timedelta(days=stale_days() - 1))
    if allocations is None:
        cursor.execute("DELETE FROM inventory_allocationmonthlyusage WHERE month <> ALL(%s::date[])", [months])
    end = max(last, timezone.now().astimezone(datetime.UTC).date()) if daily else first
    days = [first + datetime.timedelta(days=n) for n in range((end - first).days + 1)] if daily else []
    for month in _months(first, max(end, _last_day(months[-1]))):
        month_days = [day for day in days if _month_of(day) == month]
        _refresh(
            cursor,
            daily=_Daily(month_days) if month_days else None,
            monthly=_Monthly({month: month}, allocations) if month in months else None,
        )
    return len(days) if daily else len(months)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from *first*'s to *last*'s."""
    months = [_month_of(first)]
    while months[-1] < _month_of(last):
        months.append(_last_day(months[-1]) + datetime.timedelta(days=1))
    return months


def _month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _last_day(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
