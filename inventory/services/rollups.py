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

_LAST_SAMPLE_PER_DAY = """
    SELECT DISTINCT ON (s.allocation_id, (s.measured_at AT TIME ZONE 'UTC')::date)
           s.allocation_id,
           (s.measured_at AT TIME ZONE 'UTC')::date AS day,
           s.used_bytes,
           coalesce(s.physical_used_bytes, s.used_bytes) AS physical_used_bytes
      FROM inventory_usagesample s
     WHERE s.measured_at >= %(start)s AND s.measured_at < %(end)s
       AND (s.measured_at AT TIME ZONE 'UTC')::date = ANY(%(days)s)
     ORDER BY s.allocation_id, day, s.measured_at DESC
"""

_POOL_ROLLUP = f"""
    INSERT INTO inventory_pooldailyusage (pool_id, day, used_bytes, physical_used_bytes, allocations)
    SELECT a.pool_id, l.day, sum(l.used_bytes), sum(l.physical_used_bytes), count(*)
      FROM ({_LAST_SAMPLE_PER_DAY}) l
      JOIN inventory_allocation a ON a.id = l.allocation_id
     GROUP BY a.pool_id, l.day
    ON CONFLICT (pool_id, day) DO UPDATE
       SET used_bytes = EXCLUDED.used_bytes,
           physical_used_bytes = EXCLUDED.physical_used_bytes,
           allocations = EXCLUDED.allocations
"""

_TEAM_ROLLUP = f"""
    INSERT INTO inventory_teamdailyusage (team_id, day, used_bytes, physical_used_bytes, allocations)
    SELECT p.team_id, l.day, sum(l.used_bytes), sum(l.physical_used_bytes), count(*)
      FROM ({_LAST_SAMPLE_PER_DAY}) l
      JOIN inventory_allocation a ON a.id = l.allocation_id
      JOIN inventory_researchproject p ON p.id = a.project_id
     GROUP BY p.team_id, l.day
    ON CONFLICT (team_id, day) DO UPDATE
       SET used_bytes = EXCLUDED.used_bytes,
           physical_used_bytes = EXCLUDED.physical_used_bytes,
           allocations = EXCLUDED.allocations
"""


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
        cursor.execute(_POOL_ROLLUP, params)
        cursor.execute(_TEAM_ROLLUP, params)
    return len(day_list)
