"""Daily usage rollups per pool and per team, kept true by the usage-state service after every write.

Why: a pool's forecast needs its daily usage over 30 days, and a team list its usage 7 and 30 days ago.
Working those out from raw samples reads millions of rows at national scale; the rollups hold one row per
pool or team and day, recomputed only for the days a write can change.

A day's figure is defined once, in inventory/daily_usage.py: every counted allocation's latest known value
that day, carried forward up to the staleness limit; the rest are counted as not reporting.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from inventory.daily_usage import carried_usage_sql

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
    """Recompute the pool and team rollups for the given UTC days (every day from the first sample when None).

    With *pools* and *teams*, only those pools' and teams' rows are recomputed (an edit of one allocation's
    samples); otherwise every pool and team. Returns how many days were recomputed. One transaction.
    """
    scoped = pools is not None or teams is not None
    groups = {"pools": sorted(set(pools or ())), "teams": sorted(set(teams or ()))} if scoped else {}
    with transaction.atomic(), connection.cursor() as cursor:
        day_list = sorted(set(days)) if days is not None else _every_day(cursor)
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


def _every_day(cursor) -> list[datetime.date]:
    """Every UTC day from the first sample's to today's (or the last sample's, if later)."""
    cursor.execute("SELECT min(measured_at), max(measured_at) FROM inventory_usagesample")
    first, last = cursor.fetchone()
    if first is None:
        return []
    start = first.astimezone(datetime.UTC).date()
    end = max(last.astimezone(datetime.UTC).date(), timezone.now().astimezone(datetime.UTC).date())
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
