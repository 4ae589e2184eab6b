"""Everything an import changes besides the samples themselves, in one place.

After the COPY, the allocations' latest usage, what their arrays are known to enforce, and the daily rollups
must follow the new samples. All of it happens here, in :func:`apply_usage_state`, so that one usage-state
service can take it over whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection

from inventory.services.rollups import refresh_daily_usage

# Each allocation's newest sample, found through the (allocation, moment) unique index: one backward
# index step per allocation instead of sorting all their samples. Latest usage only moves forward.
_LATEST_USAGE = """
    UPDATE inventory_allocation a
       SET used_bytes = l.used_bytes,
           physical_used_bytes = l.physical_used_bytes,
           file_count = l.file_count,
           usage_measured_at = l.measured_at
      FROM unnest(%(ids)s::bigint[]) AS ids(id)
      CROSS JOIN LATERAL (
            SELECT s.measured_at, s.used_bytes, s.physical_used_bytes, s.file_count
              FROM inventory_usagesample s
             WHERE s.allocation_id = ids.id
             ORDER BY s.measured_at DESC
             LIMIT 1
           ) l
     WHERE a.id = ids.id
       AND (a.usage_measured_at IS NULL OR a.usage_measured_at < l.measured_at)
"""

# What the array enforces: the newest sample that reported limits (its empty hard limit then means the array
# enforces none, clearing an older one). Samples older than the days just imported were seen before.
_ENFORCED_LIMIT = """
    UPDATE inventory_allocation a
       SET enforced_quota_bytes = l.hard_limit_bytes,
           enforced_quota_seen_at = l.measured_at
      FROM unnest(%(ids)s::bigint[]) AS ids(id)
      CROSS JOIN LATERAL (
            SELECT s.measured_at, s.hard_limit_bytes
              FROM inventory_usagesample s
             WHERE s.allocation_id = ids.id
               AND s.measured_at >= %(since)s
               AND (s.limits_reported OR s.hard_limit_bytes IS NOT NULL)
             ORDER BY s.measured_at DESC
             LIMIT 1
           ) l
     WHERE a.id = ids.id
       AND (a.enforced_quota_seen_at IS NULL OR a.enforced_quota_seen_at <= l.measured_at)
"""


def apply_usage_state(*, allocation_ids: list[int], days: Iterable[datetime.date]) -> None:
    """Bring the allocations' latest usage and enforced limits, and the daily rollups, up to date.

    Runs inside the import's transaction, after its samples are stored: ``allocation_ids`` are the
    allocations it touched (already locked, in id order), ``days`` the UTC days its samples fall on. One
    statement each, whatever the number of allocations.
    """
    days = sorted(set(days))
    if not allocation_ids or not days:
        return
    since = datetime.datetime.combine(days[0], datetime.time(), tzinfo=datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(_LATEST_USAGE, {"ids": allocation_ids})
        cursor.execute(_ENFORCED_LIMIT, {"ids": allocation_ids, "since": since})
    refresh_daily_usage(days=days)
