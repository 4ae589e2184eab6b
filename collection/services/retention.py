"""Keep usage storage growing with real change, not with polling: thin old raw samples.

Samples older than the retention (``COLLECTION_SAMPLE_RETENTION_DAYS``, default 90) are thinned to the last
sample of each allocation and UTC day. That last sample is exactly what the daily pool and team rollups
are computed from ("the last sample at or before the day"), so recomputing any past day gives the same
figures, forecasts over long windows keep one point a day, and per-allocation history is kept for ever at
one row a day. See docs/collection.md for why this design.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone


def thin_samples(*, retention_days: int, now: datetime.datetime | None = None) -> int:
    """Delete every sample older than the retention that is not its allocation's last of its UTC day."""
    if retention_days < 1:
        raise ValueError("the retention must be at least one day")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM inventory_usagesample s
             USING (
                   SELECT id,
                          row_number() OVER (
                              PARTITION BY allocation_id, (measured_at AT TIME ZONE 'UTC')::date
                              ORDER BY measured_at DESC
                          ) AS newest_first
                     FROM inventory_usagesample
                    WHERE measured_at < %s
                   ) old
             WHERE s.id = old.id
               AND old.newest_first > 1
            """,
            [cutoff],
        )
        return cursor.rowcount
