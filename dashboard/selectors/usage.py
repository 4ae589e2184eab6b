"""Reads of the usage history: daily totals for charts.

Samples can arrive several times a day; a day's figure for an allocation is its
LAST sample of that day (UTC), and a team's or project's figure is the sum of those.
The daily rollups (inventory.services.rollups) that the growth columns read use the
same rule, so charts and growth agree.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Max, Q
from django.db.models.functions import TruncDate

from inventory.models import UsageSample

#: How far back the usage charts look.
CHART_DAYS = 90


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def latest_sample_day() -> datetime.date | None:
    """The UTC day of the newest usage sample anywhere (one query): growth is measured back from it."""
    latest = UsageSample.objects.aggregate(latest=Max("measured_at"))["latest"]
    return latest.astimezone(datetime.UTC).date() if latest else None


def daily_usage(
    allocation_filter: Q, *, days: int = CHART_DAYS, end: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """[(day, bytes used)] for the allocations matching *allocation_filter*, over the last *days* days.

    One query: DISTINCT ON keeps each allocation's last sample per day, an outer GROUP BY
    sums them per day. *allocation_filter* is a Q on Allocation (e.g. ``Q(project__team=team)``).
    """
    end = end or datetime.datetime.now(datetime.UTC).date()
    start = end - datetime.timedelta(days=days - 1)
    inner = (
        UsageSample.objects.filter(
            measured_at__gte=_day_start(start), measured_at__lt=_day_start(end + datetime.timedelta(days=1))
        )
        .filter(_prefixed(allocation_filter, "allocation"))
        .annotate(day=TruncDate("measured_at", tzinfo=datetime.UTC))
        .order_by("allocation_id", "day", "-measured_at")
        .distinct("allocation_id", "day")
        .values("day", "used_bytes")
    )
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT day, SUM(used_bytes) FROM ({sql}) AS last_of_day GROUP BY day ORDER BY day", params)
        return [(day, int(total)) for day, total in cursor.fetchall()]


def _prefixed(condition: Q, prefix: str) -> Q:
    """Re-root a Q written for Allocation onto a related model (``project__team`` -> ``allocation__project__team``)."""
    rerooted = Q()
    rerooted.connector = condition.connector
    rerooted.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            rerooted.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            rerooted.children.append((f"{prefix}__{key}", value))
    return rerooted
