"""One definition of showback's TB-months (docs/domain.md, "Showback"): a day's figures summed over months.

A month's **used byte-days** of an allocation add, for every day of the month, its usage that day as
inventory/daily_usage.py defines it (the latest known value at the end of the day, carried forward up to
the staleness limit; nothing on a day it is not reporting). Its **allocated byte-days** add its quota on
every day it counts by the same definition and has started (start date ≤ day): an active allocation
every day from its start, an expired or revoked one up to and including its end date. Requested and
denied allocations never count.

Byte-days are exact integers, summed in SQL. Only at the edge do they become **TB-months**:
byte-days ÷ (10^12 × the number of days in that month), so a quota of 1 TB held for a whole month is
1 TB-month whatever the month's length, and held for 10 days of a 30-day month is 1/3 TB-month. A range
of months adds each month's TB-months. The days of the current month after today have no figures yet.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.db import connection, transaction

from inventory.daily_usage import carried_usage_sql

#: Bytes in the showback's terabyte: decimal, as everywhere by default (1 TB = 10^12 bytes).
TB = 10**12
#: The longest range one report may cover: its query works out every counted allocation on every day
#: (about 1.2 s per month for 4,000 allocations on a quiet machine).
MAX_MONTHS = 12

# Grouped per month, project and pool tier (a tier has its own price); the names are joined here too,
# so a report is one query whatever its size.
_BYTE_DAYS = """
WITH carried AS ({carried}),
grouped AS (
    SELECT date_trunc('month', c.day)::date AS month, c.project_id, pool.tier,
           coalesce(sum(a.quota_bytes) FILTER (WHERE a.start_date <= c.day), 0) AS allocated_byte_days,
           coalesce(sum(c.used_bytes), 0) AS used_byte_days,
           count(*) - count(c.used_bytes) AS not_reporting_days
      FROM carried c
      JOIN inventory_allocation a ON a.id = c.allocation_id
      JOIN inventory_storagepool pool ON pool.id = c.pool_id
     GROUP BY 1, 2, 3
)
SELECT g.month, g.tier, g.allocated_byte_days, g.used_byte_days, g.not_reporting_days,
       p.id, p.code, p.title, t.id, t.slug, t.name, i.id, i.slug, i.name
  FROM grouped g
  JOIN inventory_researchproject p ON p.id = g.project_id
  JOIN inventory_team t ON t.id = p.team_id
  LEFT JOIN inventory_institution i ON i.id = t.institution_id
 ORDER BY lower(i.name) NULLS LAST, i.id, lower(t.name), t.id, p.code, g.month, g.tier
"""

#: Only the teams *viewer_id* is a member of (a researcher's own showback).
MEMBER_SCOPE = "AND p.team_id IN (SELECT m.team_id FROM inventory_teammembership m WHERE m.user_id = %(viewer_id)s)"
#: Only the team whose slug is *team_slug*.
TEAM_SCOPE = "AND p.team_id IN (SELECT t.id FROM inventory_team t WHERE t.slug = %(team_slug)s)"
#: Only the teams of the institution whose slug is *institution_slug*.
INSTITUTION_SCOPE = (
    "AND p.team_id IN (SELECT t.id FROM inventory_team t JOIN inventory_institution i ON i.id = t.institution_id"
    " WHERE i.slug = %(institution_slug)s)"
)


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month (UTC days)."""

    year: int
    month: int

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.days)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from *first* to *last*, both included."""
    months, month = [], first
    while (month.year, month.month) <= (last.year, last.month):
        months.append(month)
        month = month.next()
    return months


def tb_months(byte_days: int, month: Month) -> Fraction:
    """Byte-days of *month* as TB-months, exactly: byte-days ÷ (10^12 × days in the month)."""
    return Fraction(byte_days, TB * month.days)


@dataclass(frozen=True, slots=True)
class ByteDays:
    """One project's byte-days on one pool tier in one month."""

    month: Month
    tier: str
    allocated_byte_days: int
    used_byte_days: int
    not_reporting_days: int  # allocation-days counted but without a known value (not added to used)
    project_id: int
    project_code: str
    project_title: str
    team_id: int
    team_slug: str
    team_name: str
    institution_id: int | None
    institution_slug: str | None
    institution_name: str | None


def monthly_byte_days(
    months: list[Month],
    *,
    today: datetime.date,
    viewer_id: int | None = None,
    team_slug: str | None = None,
    institution_slug: str | None = None,
) -> list[ByteDays]:
    """Byte-days per month, project and tier over *months* up to *today* (one query).

    With *viewer_id*, only the projects of teams that person is a member of; with *team_slug*, of that team;
    with *institution_slug*, of that institution's teams.
    """
    days = _days(months, today=today)
    if not days:
        return []
    scope = (
        (MEMBER_SCOPE if viewer_id is not None else "")
        + (TEAM_SCOPE if team_slug else "")
        + (INSTITUTION_SCOPE if institution_slug else "")
    )
    sql, params = carried_usage_sql(days, scope=scope)
    params.update(viewer_id=viewer_id, team_slug=team_slug, institution_slug=institution_slug)
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner cannot see how few days generate_series yields (it assumes 1,000 rows per sample day),
        # so it would JIT-compile the query: over a second of compiling for a quarter second of work.
        cursor.execute("SET LOCAL jit = off")
        # Its sorts (DISTINCT ON, the merge of days with samples) spill to disk with the default work_mem, as
        # in the rollups service.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_BYTE_DAYS.format(carried=sql), params)
        by_day = {month.first_day: month for month in months}
        return [
            ByteDays(by_day[row[0]], row[1], int(row[2]), int(row[3]), int(row[4]), *row[5:])
            for row in cursor.fetchall()
        ]


def _days(months: list[Month], *, today: datetime.date) -> list[datetime.date]:
    """Every day of *months* up to *today*: later days have no figures yet."""
    days = []
    for month in months:
        day = month.first_day
        while day <= min(month.last_day, today):
            days.append(day)
            day += datetime.timedelta(days=1)
    return days
