"""Usage rollups, kept true by the usage-state service after every write of samples.

Why: a pool's forecast needs its daily usage over 30 days, and a team list its usage 7 and 30 days ago.
Working those out from raw samples reads millions of rows at national scale; the rollups hold one row per
pool or team and day, recomputed only for the days a write can change. Showback adds up every allocation's
daily usage over months: AllocationMonthlyUsage holds it per allocation and month, as running totals over
the month's days, recomputed for the months a write can change.

A day's figure is defined once, in inventory/daily_usage.py: every counted allocation's latest known value
that day, carried forward up to the staleness limit; the rest are counted as not reporting.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from inventory.daily_usage import carried_usage_sql, carried_values_sql, stale_days

# Rows that did not change are left alone (no dead tuples for a re-import).
_UPSERT = """
    INSERT INTO inventory_{table} ({key}, day, used_bytes, physical_used_bytes, allocations, not_reporting)
    SELECT {key}, day, coalesce(sum(used_bytes), 0), coalesce(sum(physical_used_bytes), 0),
           count(used_bytes), count(*) - count(used_bytes)
      FROM inventory_rollup_input
     WHERE %(groups)s::bigint[] IS NULL OR {key} = ANY(%(groups)s::bigint[])
     GROUP BY {key}, day
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
    scoped = pools is not None or teams is not None
    groups = {"pools": sorted(set(pools or ())), "teams": sorted(set(teams or ()))} if scoped else {}
    with transaction.atomic(), connection.cursor() as cursor:
        day_list = sorted(set(days)) if days is not None else _every_day(cursor)
        if days is None:
            refresh_monthly_usage()
        if not day_list:
            return 0
        scope = ""
        if scoped:
            scope = "AND (a.pool_id = ANY(%(pools)s::bigint[]) OR p.team_id = ANY(%(teams)s::bigint[]))"
        sql, params = carried_usage_sql(day_list, scope=scope)
        params.update(groups)
        # The sort for DISTINCT ON spills to disk with the default work_mem at national scale.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS inventory_rollup_input")
        cursor.execute(f"CREATE TEMPORARY TABLE inventory_rollup_input ON COMMIT DROP AS {sql}", params)
        for table, key, group in _TABLES:
            values = {"days": day_list, "groups": groups.get(group) if scoped else None}
            cursor.execute(_UPSERT.format(table=table, key=key), values)
            cursor.execute(_DELETE_EMPTY.format(table=table, key=key), values)
        cursor.execute("DROP TABLE inventory_rollup_input")
    return len(day_list)


# One allocation-month's running totals: every day of the month, with its carried value where it has one.
# The first %(kept)s days cannot have changed (the write's samples are all later): their running totals are
# kept from the row as it was (zeros where there was none), and only the days after them are worked out
# again, from their samples.
_MONTHLY = """
{carried}, old AS (
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
    SELECT allocation_id FROM carried WHERE day BETWEEN %(month)s + %(kept)s AND %(last)s
), tail AS (
    SELECT allocation_id,
           array_agg(used ORDER BY n) AS used_tail,
           array_agg(reported ORDER BY n) AS reported_tail,
           max(reported) AS reported
      FROM (SELECT w.allocation_id, g.n,
                   sum(coalesce(k.used_bytes, 0)) OVER running AS used,
                   count(k.used_bytes) OVER running AS reported
              FROM refreshed w
             CROSS JOIN generate_series(%(kept)s + 1, %(days)s) AS g(n)
              LEFT JOIN carried k ON k.allocation_id = w.allocation_id AND k.day = %(month)s + g.n - 1
            WINDOW running AS (PARTITION BY w.allocation_id ORDER BY g.n)) d
     GROUP BY allocation_id
), fresh AS (
    SELECT t.allocation_id,
           coalesce(o.used_head, array_fill(0::numeric, ARRAY[%(kept)s])) || array(SELECT coalesce(o.used_base, 0) + x
                                                   FROM unnest(t.used_tail) WITH ORDINALITY AS u(x, i) ORDER BY i)
               AS used_byte_days,
           coalesce(o.reported_head, array_fill(0::bigint, ARRAY[%(kept)s])) || array(SELECT coalesce(o.reported_base, 0) + x
                                                       FROM unnest(t.reported_tail) WITH ORDINALITY AS u(x, i) ORDER BY i)
               AS reported_days
      FROM tail t
      LEFT JOIN old o ON o.allocation_id = t.allocation_id
     -- An allocation with no value on any day of the month has no row.
     WHERE coalesce(o.reported_base, 0) + t.reported > 0
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
    stale = datetime.timedelta(days=stale_days() - 1)
    every = sample_days is None
    with transaction.atomic(), connection.cursor() as cursor:
        if every:
            cursor.execute("SELECT min(measured_at), max(measured_at) FROM inventory_usagesample")
            first, last = cursor.fetchone()
            if first is None:
                cursor.execute("DELETE FROM inventory_allocationmonthlyusage")
                return 0
            first, last = first.astimezone(datetime.UTC).date(), last.astimezone(datetime.UTC).date()
            sample_days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
        sample_days = set(sample_days)
        months = sorted({_month_of(day) for sample in sample_days for day in (sample, sample + stale)})
        if not months:
            return 0
        if allocations is None and every:
            cursor.execute("DELETE FROM inventory_allocationmonthlyusage WHERE month <> ALL(%s::date[])", [months])
        # The sorts (DISTINCT ON, the running totals) spill to disk with the default work_mem at national scale;
        # a JIT compile costs more than the work.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        scope = "AND a.id = ANY(%(ids)s::bigint[])" if ids is not None else ""
        for month in months:
            days = calendar.monthrange(month.year, month.month)[1]
            last = month.replace(day=days)
            # The first day of the month the written samples can change.
            changed = month if every else max(month, min(d for d in sample_days if d + stale >= month))
            carried, params = carried_values_sql(changed, last, scope=scope)
            params.update(month=month, last=last, days=days, ids=ids, kept=(changed - month).days)
            cursor.execute(_MONTHLY.format(carried=carried), params)
    return len(months)


def _month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _every_day(cursor) -> list[datetime.date]:
    """Every UTC day from the first sample's to today's (or the last sample's, if later)."""
    cursor.execute("SELECT min(measured_at), max(measured_at) FROM inventory_usagesample")
    first, last = cursor.fetchone()
    if first is None:
        return []
    start = first.astimezone(datetime.UTC).date()
    end = max(last.astimezone(datetime.UTC).date(), timezone.now().astimezone(datetime.UTC).date())
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
