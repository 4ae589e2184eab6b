"""The showback page's team rollup (TeamMonthlyShowback): kept by the worker, trusted only where it is fresh.

Database triggers (migration 0018) mark a team stale whenever something its figures depend on changes:
an allocation's terms, its project's team, its pool's tier, or its monthly usage (every write of samples).
The report works stale teams' figures, and those of months the rollup does not cover, out from the
allocations (inventory/showback.py); everything else it reads from the rollup. So a refresh only makes the
page faster: a late or missed one never makes it wrong.

``refresh_team_showback`` runs on the worker every minute (inventory/tasks.py): it works out the rows of
the months not yet covered (a new month, once) for every team, and of the stale teams for every covered
month from the one they are stale since. The rollup covers the current month and the ``ROLLUP_MONTHS`` − 1
before it, so that a report of the last year reads rollups only; older months are worked out when asked for.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from inventory.showback import MAX_MONTHS, STALE_SINCE, TEAM_DAYS, Month, stale_since, without_jit

#: Months the rollup covers, the current one included.
ROLLUP_MONTHS = MAX_MONTHS + 1

# One refresh at a time (two workers, or the worker and a bulk load): a transaction-scoped advisory lock.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('inventory.team_showback'))"

_COLUMNS = (
    "allocated_byte_days",
    "used_byte_days",
    "not_reporting_days",
    "counted_days",
    "allocated_running",
    "used_running",
    "not_reporting_running",
    "counted_running",
)
_NEW = ", ".join(f"EXCLUDED.{column}" for column in _COLUMNS)
_UPSERT = f"""
WITH fresh AS ({TEAM_DAYS}), written AS (
    INSERT INTO inventory_teammonthlyshowback (team_id, tier, month, {", ".join(_COLUMNS)})
    SELECT team_id, tier, %(first)s, {", ".join(_COLUMNS)} FROM fresh
    ON CONFLICT (month, team_id, tier) DO UPDATE
       SET ({", ".join(_COLUMNS)}) = ROW({_NEW})
     WHERE ({", ".join(f"inventory_teammonthlyshowback.{column}" for column in _COLUMNS)}) IS DISTINCT FROM ({_NEW})
)
-- A team (or tier) with nothing left in the month has no row.
DELETE FROM inventory_teammonthlyshowback r
 WHERE r.month = %(first)s
   AND (%(teams)s::bigint[] IS NULL OR r.team_id = ANY(%(teams)s::bigint[]))
   AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.team_id = r.team_id AND f.tier = r.tier)
"""

# Every stale mark, taken (deleted) and folded per team as the report folds them.
_TAKE_MARKS = f"""
WITH taken AS (DELETE FROM inventory_showbackstaleteam RETURNING team_id, since)
SELECT team_id, {STALE_SINCE} FROM taken GROUP BY team_id
"""

# Once a month is over, no report reads its days: its rows keep their sums only.
_FORGET_DAYS = """
UPDATE inventory_teammonthlyshowback
   SET allocated_running = NULL, used_running = NULL, not_reporting_running = NULL, counted_running = NULL
 WHERE month < %s AND counted_running IS NOT NULL
"""


@dataclass(frozen=True)
class Refreshed:
    """What a refresh worked out: months for every team, and the stale teams it refreshed."""

    months: list[Month]
    teams: int


def rollup_months(today: datetime.date) -> list[Month]:
    """The months the rollup covers on *today*: the current one and the ROLLUP_MONTHS − 1 before it."""
    months = [Month.of(today)]
    while len(months) < ROLLUP_MONTHS:
        months.insert(0, Month.of(months[0].first_day - datetime.timedelta(days=1)))
    return months


def refresh_team_showback(*, every: bool = False, today: datetime.date | None = None) -> Refreshed:
    """Bring the team rollup up to date (one transaction): the covered months that have no rows yet (all of
    them with *every*) for every team, then the stale teams' rows of the other covered months."""
    today = today or timezone.now().astimezone(datetime.UTC).date()
    wanted = rollup_months(today)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK)
        # A month of every team's allocations, day by day: the same settings as the report's query.
        without_jit(cursor)
        # Taken first: a team marked stale after this statement stays marked for the next refresh.
        cursor.execute(_TAKE_MARKS)
        stale = stale_since(cursor.fetchall())
        firsts = [month.first_day for month in wanted]
        cursor.execute("DELETE FROM inventory_showbackrollupmonth WHERE month <> ALL(%s::date[])", [firsts])
        cursor.execute("DELETE FROM inventory_teammonthlyshowback WHERE month <> ALL(%s::date[])", [firsts])
        cursor.execute("SELECT month FROM inventory_showbackrollupmonth")
        covered = {row[0] for row in cursor.fetchall()}
        missing = wanted if every else [month for month in wanted if month.first_day not in covered]
        for month in missing:
            _refresh_month(cursor, month, teams=None, today=today)
        for month in wanted:
            teams = sorted(team for team, since in stale.items() if since <= month.first_day)
            if teams and month not in missing:
                _refresh_month(cursor, month, teams=teams, today=today)
        cursor.execute(_FORGET_DAYS, [wanted[-1].first_day])
        cursor.execute(
            "INSERT INTO inventory_showbackrollupmonth (month) SELECT unnest(%s::date[]) ON CONFLICT DO NOTHING",
            [[month.first_day for month in missing]],
        )
    return Refreshed(months=missing, teams=len(stale))


def _refresh_month(cursor, month: Month, *, teams: list[int] | None, today: datetime.date) -> None:
    values = {"first": month.first_day, "last": month.last_day, "teams": teams, "running": today <= month.last_day}
    cursor.execute(_UPSERT, values)
