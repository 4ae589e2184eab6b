"""Reads of the usage history: daily totals for charts.

A day's figure is defined once (inventory/daily_usage.py): every counted allocation's latest known value
that day, carried forward up to the staleness limit. Teams and pools read it from their daily rollups;
a project (a handful of allocations) has it worked out on the fly by the same query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection

from inventory.daily_usage import carried_usage_sql

#: How far back the usage charts look.
CHART_DAYS = 90


def latest_sample_day() -> datetime.date | None:
    """The UTC day of the newest usage sample anywhere (one query): growth is measured back from it."""
    # Plain SQL: every page asks, and the ORM's aggregate took longer to build than the index lookup to run.
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(measured_at) FROM inventory_usagesample")
        latest = cursor.fetchone()[0]
    return latest.astimezone(datetime.UTC).date() if latest else None


def _window(days: int, end: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    end = end or datetime.datetime.now(datetime.UTC).date()
    return end - datetime.timedelta(days=days - 1), end


def team_daily_usage(
    team_id: int, *, days: int | None = CHART_DAYS, end: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """[(day, bytes used)] of one team over the last *days* days (None: every day), from its daily rollup
    (one query whatever the period; plain SQL, which the ORM took longer to write than the index to read)."""
    start, end = _window(days or 1, end)
    # Days on which no allocation reported have no figure (a gap, not a fall to zero).
    since = "" if days is None else "AND day >= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT day, used_bytes FROM inventory_teamdailyusage"
            f" WHERE team_id = %s AND day <= %s AND allocations > 0 {since} ORDER BY day",
            (team_id, end) if days is None else (team_id, end, start),
        )
        return cursor.fetchall()


def project_daily_usage(
    project_id: int,
    *,
    days: int | None = CHART_DAYS,
    end: datetime.date | None = None,
    first: datetime.date | None = None,
) -> list[tuple[datetime.date, int]]:
    """[(day, bytes used)] of one project over the last *days* days, or (days None) from *first*, its start
    (one query; days on which none of its allocations reported are left out: a gap, not a fall to zero)."""
    day_list = _days(days, end, first)
    sql, params = carried_usage_sql(day_list, scope="AND a.project_id = %(project_id)s")
    params["project_id"] = project_id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, sum(used_bytes) FROM ({sql}) AS carried GROUP BY day HAVING count(used_bytes) > 0 "
            "ORDER BY day",
            params,
        )
        return [(day, int(total)) for day, total in cursor.fetchall()]


def _days(days: int | None, end: datetime.date | None, first: datetime.date | None) -> list[datetime.date]:
    """The days of a period: the last *days* up to *end*, or (days None) every day from *first* to *end*."""
    end = end or datetime.datetime.now(datetime.UTC).date()
    start = _window(days, end)[0] if days is not None else min(first or end, end)
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


#: The label of each part of a split chart, and how the day's rows are grouped.
_SPLIT_SQL = {
    "project": (
        "SELECT c.day, r.code, sum(c.used_bytes) FROM ({carried}) AS c "
        "JOIN inventory_researchproject r ON r.id = c.project_id "
        "GROUP BY c.day, r.code HAVING count(c.used_bytes) > 0 ORDER BY r.code, c.day"
    ),
    "pool": (
        "SELECT c.day, sa.name || ' / ' || sp.name, sum(c.used_bytes) FROM ({carried}) AS c "
        "JOIN inventory_storagepool sp ON sp.id = c.pool_id JOIN inventory_storagearray sa ON sa.id = sp.array_id "
        "GROUP BY c.day, sa.name, sp.name HAVING count(c.used_bytes) > 0 ORDER BY 2, c.day"
    ),
}


def split_daily_usage(
    days: Iterable[datetime.date], *, by: str, team_id: int | None = None, project_id: int | None = None
) -> list[tuple[str, list[tuple[datetime.date, int]]]]:
    """A team's or project's daily usage on *days*, per project or per pool (*by*): [(label, [(day, bytes)])].

    The same day's figure as the total (inventory/daily_usage.py), grouped in SQL: one query.
    """
    day_list = list(days)
    if not day_list:
        return []
    if team_id is not None:
        scope, params_extra = "AND p.team_id = %(team_id)s", {"team_id": team_id}
    else:
        scope, params_extra = "AND a.project_id = %(project_id)s", {"project_id": project_id}
    carried, params = carried_usage_sql(day_list, scope=scope)
    params.update(params_extra)
    with connection.cursor() as cursor:
        cursor.execute(_SPLIT_SQL[by].format(carried=carried), params)
        rows = cursor.fetchall()
    parts: dict[str, list[tuple[datetime.date, int]]] = {}
    for day, label, total in rows:
        parts.setdefault(label, []).append((day, int(total)))
    return list(parts.items())


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
