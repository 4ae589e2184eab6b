"""Reads of the usage history: daily totals for charts.

A day's figure is defined once (inventory/daily_usage.py): every counted allocation's latest known value
that day, carried forward up to the staleness limit. Teams and pools read it from their daily rollups;
a project (a handful of allocations) has it worked out on the fly by the same query.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Max

from inventory.daily_usage import carried_usage_sql
from inventory.models import TeamDailyUsage, UsageSample

#: How far back the usage charts look.
CHART_DAYS = 90


def latest_sample_day() -> datetime.date | None:
    """The UTC day of the newest usage sample anywhere (one query): growth is measured back from it."""
    latest = UsageSample.objects.aggregate(latest=Max("measured_at"))["latest"]
    return latest.astimezone(datetime.UTC).date() if latest else None


def _window(days: int, end: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    end = end or datetime.datetime.now(datetime.UTC).date()
    return end - datetime.timedelta(days=days - 1), end


def team_daily_usage(
    team_id: int, *, days: int = CHART_DAYS, end: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """[(day, bytes used)] of one team over the last *days* days, from its daily rollup (one query)."""
    start, end = _window(days, end)
    # Days on which no allocation reported have no figure (a gap, not a fall to zero).
    rows = TeamDailyUsage.objects.filter(team_id=team_id, day__gte=start, day__lte=end, allocations__gt=0)
    rows = rows.order_by("day")
    return list(rows.values_list("day", "used_bytes"))


def project_daily_usage(
    project_id: int, *, days: int = CHART_DAYS, end: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """[(day, bytes used)] of one project over the last *days* days (one query; days on which none of its
    allocations reported are left out: a gap, not a fall to zero)."""
    start, end = _window(days, end)
    sql, params = carried_usage_sql(
        [start + datetime.timedelta(days=n) for n in range(days)], scope="AND a.project_id = %(project_id)s"
    )
    params["project_id"] = project_id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, sum(used_bytes) FROM ({sql}) AS carried GROUP BY day HAVING count(used_bytes) > 0 "
            "ORDER BY day",
            params,
        )
        return [(day, int(total)) for day, total in cursor.fetchall()]


def allocation_daily_usage(
    allocation_id: int, *, days: int = CHART_DAYS, end: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """[(day, bytes used)] of one allocation over the last *days* days, by the same rule as every
    daily figure (one query; days without a current value are left out: a gap, not a fall to zero)."""
    start, end = _window(days, end)
    sql, params = carried_usage_sql(
        [start + datetime.timedelta(days=n) for n in range(days)], scope="AND a.id = %(allocation_id)s"
    )
    params["allocation_id"] = allocation_id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, used_bytes FROM ({sql}) AS carried WHERE used_bytes IS NOT NULL ORDER BY day", params
        )
        return [(day, int(used)) for day, used in cursor.fetchall()]
