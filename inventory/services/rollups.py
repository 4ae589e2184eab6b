"""Daily usage rollups per pool and per team, maintained after every import.

Why: a pool's forecast needs its daily usage over 30 days, and a team list its
usage 7 and 30 days ago. Summing raw samples for that reads millions of rows at
national scale (40,000 allocations × 90 days); the rollups hold one row per
pool or team and day, recomputed only for the days an import touched.

A day's figure is the sum, over the allocations that reported that day, of
each allocation's last sample of the (UTC) day.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction

# Each allocation's last sample of each (UTC) day in the range, with its pool and
# team: computed once into a temporary table that both rollups read, instead of
# sorting the samples twice.
_ROLLUP_INPUT = """
    CREATE TEMPORARY TABLE inventory_rollup_input ON COMMIT DROP AS
    SELECT l.day, a.pool_id, p.team_id, l.used_bytes, l.physical_used_bytes
      FROM (
            SELECT DISTINCT ON (s.allocation_id, (s.measured_at AT TIME ZONE 'UTC')::date)
                   s.allocation_id,
                   (s.measured_at AT TIME ZONE 'UTC')::date AS day,
                   s.used_bytes,
                   coalesce(s.physical_used_bytes, s.used_bytes) AS physical_used_bytes
              FROM inventory_usagesample s
             WHERE s.measured_at >= %(start)s AND s.measured_at < %(end)s
               AND (s.measured_at AT TIME ZONE 'UTC')::date = ANY(%(days)s)
             ORDER BY s.allocation_id, day, s.measured_at DESC
           ) l
      JOIN inventory_allocation a ON a.id = l.allocation_id
      JOIN inventory_researchproject p ON p.id = a.project_id
"""

# Rows that did not change are left alone (no dead tuples for a re-import).
_UPSERT = """
    INSERT INTO inventory_{table} ({key}, day, used_bytes, physical_used_bytes, allocations)
    SELECT {key}, day, sum(used_bytes), sum(physical_used_bytes), count(*)
      FROM inventory_rollup_input
     GROUP BY {key}, day
    ON CONFLICT ({key}, day) DO UPDATE
       SET used_bytes = EXCLUDED.used_bytes,
           physical_used_bytes = EXCLUDED.physical_used_bytes,
           allocations = EXCLUDED.allocations
     WHERE (inventory_{table}.used_bytes, inventory_{table}.physical_used_bytes, inventory_{table}.allocations)
           IS DISTINCT FROM (EXCLUDED.used_bytes, EXCLUDED.physical_used_bytes, EXCLUDED.allocations)
"""
_POOL_ROLLUP = _UPSERT.format(table="pooldailyusage", key="pool_id")
_TEAM_ROLLUP = _UPSERT.format(table="teamdailyusage", key="team_id")


def refresh_daily_usage(*, days: Iterable[datetime.date] | None = None) -> int:
    """Recompute the pool and team rollups for the given UTC days (every day with samples when None).

    Returns how many days were recomputed. Runs in one transaction.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if days is None:
            cursor.execute(
                "SELECT DISTINCT (measured_at AT TIME ZONE 'UTC')::date FROM inventory_usagesample ORDER BY 1"
            )
            day_list = [row[0] for row in cursor.fetchall()]
        else:
            day_list = sorted(set(days))
        if not day_list:
            return 0
        params = {
            "days": day_list,
            "start": datetime.datetime.combine(day_list[0], datetime.time.min, tzinfo=datetime.UTC),
            "end": datetime.datetime.combine(
                day_list[-1] + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
            ),
        }
        # The sort for DISTINCT ON spills to disk with the default 4 MB at national scale.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS inventory_rollup_input")
        cursor.execute(_ROLLUP_INPUT, params)
        cursor.execute(_POOL_ROLLUP)
        cursor.execute(_TEAM_ROLLUP)
        cursor.execute("DROP TABLE inventory_rollup_input")
    return len(day_list)
