"""The single owner of usage state: what an allocation shows now, worked out from its stored samples.

Every writer of usage samples (the imports and collectors, the admin's add / change / delete / bulk
delete, the demo loader) calls ``refresh_usage_state`` after writing, inside its transaction. It recomputes,
from the samples alone and never by comparing with what was there before:

* an allocation's **latest usage** (used, physical used, file count, moment): its newest sample;
* what the array **enforces** (its hard limit, and when that was seen): the newest sample whose report
  carried limits (``limits_reported``); a report that says "no limit" clears it, a report that says nothing
  about limits leaves the older knowledge. Quota drift is enforced − promised (Allocation.quota_drift_bytes);
* the **daily rollups** of every day the written samples can change (they carry forward, see
  inventory/daily_usage.py), and the written allocations' **monthly rollups** (showback) of the months those
  days fall in: both from one working-out of the carried values (inventory/services/rollups.py).

So deleting or back-dating the newest sample, or a late report, leaves the same state as if the samples
had always been what they are now.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from inventory.daily_usage import days_affected_by
from inventory.services.rollups import refresh_daily_usage, refresh_rollups
from inventory.services.team_showback import refresh_team_showback

# One statement for any number of allocations: each allocation's newest sample and newest sample with
# limits are index probes (sample_unique_per_moment, sample_limits_by_allocation), not a scan of its history.
_REFRESH_LATEST = """
UPDATE inventory_allocation a
   SET used_bytes = latest.used_bytes,
       physical_used_bytes = latest.physical_used_bytes,
       file_count = latest.file_count,
       usage_measured_at = latest.measured_at,
       enforced_quota_bytes = limits.hard_limit_bytes,
       enforced_quota_seen_at = limits.measured_at
  FROM unnest(%(ids)s::bigint[]) AS wanted(id)
  LEFT JOIN LATERAL (
        SELECT s.used_bytes, s.physical_used_bytes, s.file_count, s.measured_at
          FROM inventory_usagesample s
         WHERE s.allocation_id = wanted.id
         ORDER BY s.measured_at DESC
         LIMIT 1) latest ON true
  LEFT JOIN LATERAL (
        SELECT s.hard_limit_bytes, s.measured_at
          FROM inventory_usagesample s
         WHERE s.allocation_id = wanted.id AND s.limits_reported
         ORDER BY s.measured_at DESC
         LIMIT 1) limits ON true
 WHERE a.id = wanted.id
   AND (a.used_bytes, a.physical_used_bytes, a.file_count, a.usage_measured_at,
        a.enforced_quota_bytes, a.enforced_quota_seen_at)
       IS DISTINCT FROM
       (latest.used_bytes, latest.physical_used_bytes, latest.file_count, latest.measured_at,
        limits.hard_limit_bytes, limits.measured_at)
"""

_GROUPS = """
SELECT array_agg(DISTINCT a.pool_id), array_agg(DISTINCT p.team_id)
  FROM inventory_allocation a JOIN inventory_researchproject p ON p.id = a.project_id
 WHERE a.id = ANY(%(ids)s::bigint[])
"""

#: Above this many allocations, refresh every pool's and team's rollup rather than list them.
_SCOPE_LIMIT = 1000


def refresh_usage_state(
    *,
    allocation_ids: Iterable[int],
    sample_days: Iterable[datetime.date] = (),
    moments: Iterable[datetime.datetime] = (),
) -> None:
    """Recompute the latest usage and enforced limit of *allocation_ids* and the rollups their samples touch.

    *sample_days* (UTC dates) or *moments* name when the written, changed or deleted samples were measured
    (old and new moments both, for a change); the rollups of those days and the days they carry into are
    recomputed for the allocations' pools and teams.
    """
    ids = sorted(set(allocation_ids))
    days = set(sample_days) | {moment.astimezone(datetime.UTC).date() for moment in moments}
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_REFRESH_LATEST, {"ids": ids})
        if not days:
            return
        today = timezone.now().astimezone(datetime.UTC).date()
        pools = teams = None
        if len(ids) <= _SCOPE_LIMIT:
            cursor.execute(_GROUPS, {"ids": ids})
            pools, teams = (found or [] for found in cursor.fetchone())
        # The daily rows of the allocations' pools and teams; the monthly rows of the allocations alone (a
        # monthly row holds the allocation's own samples only).
        refresh_rollups(
            days=days_affected_by(days, today=today), pools=pools, teams=teams, sample_days=days, allocations=ids
        )


def refresh_every_usage_state() -> int:
    """Recompute every allocation's state, every day's and month's rollups and the showback page's team rollup
    (after a bulk load such as the demo's). Returns how many days the daily rollups cover."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(array_agg(id), '{}') FROM inventory_allocation")
        cursor.execute(_REFRESH_LATEST, {"ids": cursor.fetchone()[0]})
        days = refresh_daily_usage()
        refresh_team_showback(every=True)
        return days


def refresh_today(*, allocation_ids: Iterable[int]) -> None:
    """Recompute today's rollups of these allocations' pools and teams (an allocation started or ended)."""
    today = timezone.now().astimezone(datetime.UTC).date()
    refresh_usage_state(allocation_ids=allocation_ids, sample_days=[today])
