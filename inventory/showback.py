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

The daily usage is read from AllocationMonthlyUsage (running totals over each month's days of the carried
values, kept by the usage-state service from the samples alone); which days count, and so the allocated
byte-days and the days not reporting, are worked out here from the allocation as it is now.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from django.db import connection, transaction

#: Bytes in the showback's terabyte: decimal, as everywhere by default (1 TB = 10^12 bytes).
TB = 10**12
#: The longest range one report may cover.
MAX_MONTHS = 12

# Which days of a month an allocation counts on is worked out here, from the allocation as it is now: its
# status, start and end dates (docs/domain.md, "A day's figure"). Its usage on those days comes from its
# monthly rollup (AllocationMonthlyUsage, running totals of the carried values of inventory/daily_usage.py):
# used = the running total up to the last counted day (a day before the start date counts where it has a
# value); days not reporting = counted days from the start date minus those with a value. One row per
# allocation and month that counts in it; every month stops at today.
_MONTHS = """
WITH months AS (
    SELECT m.first, m.last, m.whole
      FROM unnest(%(firsts)s::date[], %(lasts)s::date[], %(wholes)s::boolean[]) AS m(first, last, whole)
)"""
_COUNTED_AFTER_MONTHS = """, counted AS (
    SELECT m.first AS month, a.id, a.project_id, p.team_id, t.institution_id, pool.tier, a.quota_bytes,
           greatest(a.start_date, m.first) AS started,
           CASE WHEN a.status = 'active' THEN m.last ELSE least(a.end_date, m.last) END AS last_day
      FROM months m
      JOIN inventory_allocation a
        ON a.status = 'active' OR (a.status IN ('expired', 'revoked') AND a.end_date >= m.first)
      JOIN inventory_researchproject p ON p.id = a.project_id
      JOIN inventory_team t ON t.id = p.team_id
      JOIN inventory_storagepool pool ON pool.id = a.pool_id
     WHERE true {scope} {live}
), figures AS (
    SELECT c.month, c.project_id, c.team_id, c.institution_id, c.tier,
           c.quota_bytes::numeric * greatest(c.last_day - c.started + 1, 0) AS allocated_byte_days,
           coalesce(u.used_byte_days[c.last_day - c.month + 1], 0) AS used_byte_days,
           greatest(c.last_day - c.started + 1, 0)
           - CASE WHEN c.started <= c.last_day
                  THEN coalesce(u.reported_days[c.last_day - c.month + 1], 0)
                       - coalesce(u.reported_days[c.started - c.month], 0)
                  ELSE 0 END AS not_reporting_days
      FROM counted c
      LEFT JOIN (SELECT * FROM inventory_allocationmonthlyusage WHERE month = ANY(%(firsts)s::date[])) u
        ON u.month = c.month AND u.allocation_id = c.id
     -- Before its start date an allocation counts only where it reported.
     WHERE c.started <= c.last_day OR coalesce(u.reported_days[c.last_day - c.month + 1], 0) > 0
)"""
_COUNTED = _MONTHS + _COUNTED_AFTER_MONTHS

# Per team instead of per allocation (the page's team lines), from the team rollup where it is fresh: the
# rows of the covered months (%(covered)s), but not those of a stale team from the month it is stale since
# (%(stale)s, %(stale_since)s), each read at the month's last counted day. _COUNTED's figures (with {live}
# keeping the other months and the stale teams' months only) fill in the rest. A month that has not begun
# has no figures (figures_query leaves it out).
_ROLLED = """, rolled AS (
    SELECT m.first AS month, r.tier, r.team_id, t.institution_id,
           CASE WHEN m.whole THEN r.allocated_byte_days ELSE r.allocated_running[m.last - m.first + 1] END
               AS allocated_byte_days,
           CASE WHEN m.whole THEN r.used_byte_days ELSE r.used_running[m.last - m.first + 1] END AS used_byte_days,
           CASE WHEN m.whole THEN r.not_reporting_days ELSE r.not_reporting_running[m.last - m.first + 1] END
               AS not_reporting_days
      FROM months m
      JOIN inventory_teammonthlyshowback r ON r.month = m.first
      JOIN inventory_team t ON t.id = r.team_id
     WHERE m.first = ANY(%(covered)s::date[])
       AND NOT EXISTS (SELECT 1 FROM stale_months s WHERE s.team_id = r.team_id AND s.month = m.first)
       AND (m.whole OR r.counted_running[m.last - m.first + 1] > 0) {scope}
)"""
_LIVE = """AND (m.first <> ALL(%(covered)s::date[])
                 OR (p.team_id, m.first) IN (SELECT team_id, month FROM stale_months))"""
# Each stale team's months from the one it is stale since (pairs: joined by equality, hashed).
_STALE_MONTHS = """, stale_months AS (
    SELECT s.team_id, m.first AS month
      FROM unnest(%(stale)s::bigint[], %(stale_since)s::date[]) AS s(team_id, since)
      JOIN months m ON s.since <= m.first
)"""
_TEAM_FIGURES_FROM_ROLLUP = _ROLLED + """, team_figures AS (SELECT * FROM rolled)"""
_LIVE_PER_TEAM = """
    SELECT month, tier, team_id, institution_id, sum(allocated_byte_days) AS allocated_byte_days,
           sum(used_byte_days) AS used_byte_days, sum(not_reporting_days) AS not_reporting_days
      FROM figures
     GROUP BY month, tier, team_id, institution_id"""
_TEAM_FIGURES_FROM_BOTH = _ROLLED + ", team_figures AS (SELECT * FROM rolled UNION ALL" + _LIVE_PER_TEAM + ")"
_TEAM_FIGURES_LIVE = ", team_figures AS (" + _LIVE_PER_TEAM + ")"

# The same figures day by day, per team and pool tier, for the team rollup (TeamMonthlyShowback): one month
# (%(first)s to %(last)s, every day of it) of the teams in %(teams)s (NULL: every team). An allocation counts
# on a day from its start date to its last day (as _COUNTED: the month's end while active, else its end
# date); its carried value adds to used on every day up to its last day (before its start date too, where
# it reported); a counted day without a value is an allocation-day not reporting; a day that is counted or
# reporting puts the team on the report. Running totals of those over the month's days, per team and tier,
# read at the month's last day (or today's) give _COUNTED's sums for the same allocations: the tests hold
# the two side by side.
TEAM_DAYS = """
WITH counted AS (
    SELECT a.id, p.team_id, pool.tier, a.quota_bytes,
           greatest(a.start_date, %(first)s) AS started,
           CASE WHEN a.status = 'active' THEN %(last)s ELSE least(a.end_date, %(last)s) END AS last_day
      FROM inventory_allocation a
      JOIN inventory_researchproject p ON p.id = a.project_id
      JOIN inventory_storagepool pool ON pool.id = a.pool_id
     WHERE (a.status = 'active' OR (a.status IN ('expired', 'revoked') AND a.end_date >= %(first)s))
       AND (%(teams)s::bigint[] IS NULL OR p.team_id = ANY(%(teams)s::bigint[]))
), days AS (
    SELECT c.team_id, c.tier, g.n,
           CASE WHEN d.day BETWEEN c.started AND c.last_day THEN c.quota_bytes ELSE 0 END AS allocated,
           CASE WHEN d.day <= c.last_day
                THEN coalesce(u.used_byte_days[g.n], 0) - coalesce(u.used_byte_days[g.n - 1], 0) ELSE 0 END AS used,
           d.day BETWEEN c.started AND c.last_day AS counts,
           coalesce(u.reported_days[g.n], 0) > coalesce(u.reported_days[g.n - 1], 0) AS reported,
           d.day <= c.last_day AS before_end
      FROM counted c
      LEFT JOIN inventory_allocationmonthlyusage u ON u.allocation_id = c.id AND u.month = %(first)s
     CROSS JOIN generate_series(1, %(last)s - %(first)s + 1) AS g(n)
     CROSS JOIN LATERAL (SELECT %(first)s + g.n - 1 AS day) d
), per_day AS (
    SELECT team_id, tier, n,
           sum(allocated) AS allocated, sum(used) AS used,
           count(*) FILTER (WHERE counts AND NOT reported) AS not_reporting,
           count(*) FILTER (WHERE counts OR (before_end AND reported)) AS counted
      FROM days
     GROUP BY team_id, tier, n
), running AS (
    SELECT team_id, tier, n,
           sum(allocated) OVER w AS allocated, sum(used) OVER w AS used,
           sum(not_reporting) OVER w AS not_reporting, sum(counted) OVER w AS counted
      FROM per_day
    WINDOW w AS (PARTITION BY team_id, tier ORDER BY n)
)
SELECT team_id, tier,
       max(allocated) AS allocated_byte_days, max(used) AS used_byte_days,
       max(not_reporting)::bigint AS not_reporting_days, max(counted)::bigint AS counted_days,
       -- Only a report of the current month reads a day before the month's last: only its rows keep every day.
       CASE WHEN %(running)s THEN array_agg(allocated ORDER BY n) END AS allocated_running,
       CASE WHEN %(running)s THEN array_agg(used ORDER BY n) END AS used_running,
       CASE WHEN %(running)s THEN array_agg(not_reporting::bigint ORDER BY n) END AS not_reporting_running,
       CASE WHEN %(running)s THEN array_agg(counted::bigint ORDER BY n) END AS counted_running
  FROM running
 GROUP BY team_id, tier
-- A team none of whose allocations counts or reports in the month is not on its report.
HAVING max(counted) > 0
"""

# Grouped per month, project and pool tier (a tier has its own price); the names are joined here too,
# so a report is one query whatever its size.
_BYTE_DAYS_SELECT = """,
grouped AS (
    SELECT f.month, f.project_id, f.tier,
           sum(f.allocated_byte_days) AS allocated_byte_days,
           sum(f.used_byte_days) AS used_byte_days,
           sum(f.not_reporting_days) AS not_reporting_days
      FROM figures f
     GROUP BY 1, 2, 3
)
SELECT g.month, g.tier, g.allocated_byte_days, g.used_byte_days, g.not_reporting_days,
       p.id, p.code, p.title, t.id, t.slug, t.name, i.id, i.slug, i.name
  FROM grouped g
  JOIN inventory_researchproject p ON p.id = g.project_id
  JOIN inventory_team t ON t.id = p.team_id
  LEFT JOIN inventory_institution i ON i.id = t.institution_id
 ORDER BY {order}
"""
_BY_INSTITUTION = "lower(i.name) NULLS LAST, i.id, lower(t.name), t.id, p.code, g.month, g.tier"
_BY_MONTH = "g.month, i.id IS NULL, lower(i.name), i.id, lower(t.name), t.id, p.code, g.tier"

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
    query = figures_query(
        _BYTE_DAYS_SELECT.format(order=_BY_INSTITUTION),
        months,
        today=today,
        viewer_id=viewer_id,
        team_slug=team_slug,
        institution_slug=institution_slug,
    )
    if query is None:
        return []
    sql, params = query
    by_day = {month.first_day: month for month in months}
    with transaction.atomic(), connection.cursor() as cursor:
        without_jit(cursor)
        cursor.execute(sql, params)
        return [
            ByteDays(by_day[row[0]], row[1], int(row[2]), int(row[3]), int(row[4]), *row[5:])
            for row in cursor.fetchall()
        ]


def iter_monthly_byte_days(months: list[Month], *, today: datetime.date, **scope) -> Iterator[ByteDays]:
    """monthly_byte_days (*scope* as there) ordered by month, then institution (none last), team and project;
    read from a server-side cursor in chunks, so that a download of every project streams."""
    query = figures_query(_BYTE_DAYS_SELECT.format(order=_BY_MONTH), months, today=today, **scope)
    if query is None:
        return
    by_day = {month.first_day: month for month in months}
    with transaction.atomic():
        with connection.cursor() as cursor:
            without_jit(cursor)
        with connection.chunked_cursor() as cursor:
            cursor.execute(*query)
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    yield ByteDays(by_day[row[0]], row[1], int(row[2]), int(row[3]), int(row[4]), *row[5:])


def figures_query(
    select: str,
    months: list[Month],
    *,
    today: datetime.date,
    viewer_id: int | None = None,
    team_slug: str | None = None,
    institution_slug: str | None = None,
    rollup: Rollup | None = None,
    **params,
) -> tuple[str, dict] | None:
    """*select* after the CTE ``figures`` (month, project_id, team_id, institution_id, tier, allocated_byte_days,
    used_byte_days, not_reporting_days: one row per allocation and month over *months* up to *today*, scoped as in
    monthly_byte_days), with its parameters and *params*; None when no month has begun by *today*.

    With *rollup* (what the team rollup holds fresh, read_rollup), the CTE is ``team_figures`` instead (month,
    tier, team_id, institution_id and the byte-days: one row per month, tier and team), read from the rollup
    where it is fresh and from the allocations elsewhere."""
    months = [month for month in months if month.first_day <= today]
    if not months:
        return None
    scope = (
        (MEMBER_SCOPE if viewer_id is not None else "")
        + (TEAM_SCOPE if team_slug else "")
        + (INSTITUTION_SCOPE if institution_slug else "")
    )
    firsts = [month.first_day for month in months]
    values = {
        "firsts": firsts,
        "lasts": [min(month.last_day, today) for month in months],
        # Whether the month is over by *today* (read whole) or is the current one (read through today).
        "wholes": [month.last_day <= today for month in months],
        "viewer_id": viewer_id,
        "team_slug": team_slug,
        "institution_slug": institution_slug,
        **params,
    }
    if rollup is None:
        return _COUNTED.format(scope=scope, live="") + select, values
    covered = [first for first in firsts if first in rollup.months]
    stale = {team: since for team, since in rollup.stale_since.items() if any(since <= first for first in covered)}
    values.update(covered=covered, stale=list(stale), stale_since=list(stale.values()))
    rolled_scope = scope.replace("p.team_id", "r.team_id")
    if not covered:
        sql = _COUNTED.format(scope=scope, live="") + _TEAM_FIGURES_LIVE
    elif len(covered) == len(firsts) and not stale:
        sql = _MONTHS + _STALE_MONTHS + _TEAM_FIGURES_FROM_ROLLUP.format(scope=rolled_scope)
    else:
        sql = (
            _MONTHS
            + _STALE_MONTHS
            + _COUNTED_AFTER_MONTHS.format(scope=scope, live=_LIVE)
            + _TEAM_FIGURES_FROM_BOTH.format(scope=rolled_scope)
        )
    return sql + select, values


@dataclass(frozen=True, slots=True)
class Rollup:
    """What the team rollup holds fresh: the months it covers, and for each stale team the first month whose
    rows may be out of date (date.min: every month)."""

    months: frozenset[datetime.date]
    stale_since: dict[int, datetime.date]


def read_rollup(cursor, months: list[Month]) -> Rollup:
    """Which of *months* the team rollup covers, and which teams are stale since when (one query; run it in the
    same REPEATABLE READ transaction as the report's query, so that both see the same moment)."""
    cursor.execute(_ROLLUP_STATE, [[month.first_day for month in months]])
    covered, teams, since = cursor.fetchone()
    return Rollup(frozenset(covered), stale_since(zip(teams, since, strict=True)))


# A team marked many times is stale from its earliest mark's month; a mark without one (NULL), every month.
# The aggregate over a team's marks (columns team_id, since), grouped by team.
STALE_SINCE = "CASE WHEN bool_or(since IS NULL) THEN NULL ELSE min(since) END"


def stale_since(rows) -> dict[int, datetime.date]:
    """{team: the first month that may be stale} from (team_id, STALE_SINCE) rows; date.min: every month."""
    return {team: since or datetime.date.min for team, since in rows}


_ROLLUP_STATE = f"""
WITH stale AS (
    SELECT team_id, {STALE_SINCE} AS since FROM inventory_showbackstaleteam GROUP BY team_id
)
SELECT (SELECT coalesce(array_agg(month), '{{}}') FROM inventory_showbackrollupmonth WHERE month = ANY(%s::date[])),
       (SELECT coalesce(array_agg(team_id ORDER BY team_id), '{{}}') FROM stale),
       (SELECT coalesce(array_agg(since ORDER BY team_id), '{{}}') FROM stale)
"""


def without_jit(cursor, *, snapshot: bool = False) -> None:
    """Inside a transaction: the planner would JIT-compile a join of every allocation with every month,
    which takes longer than the work. With *snapshot* (first in its transaction), every statement of the
    transaction sees one moment (REPEATABLE READ): the team rollup's state and the figures read from it."""
    # Its sorts and hashes of every allocation's month would spill to disk with the default work_mem.
    settings = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"
    cursor.execute(("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; " if snapshot else "") + settings)
