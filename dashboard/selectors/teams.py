"""Reads for the team pages: every figure is computed in SQL, one query per list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Lower

from dashboard.selectors.compiled import ID_MARKER, MOMENT_MARKER, TEXT_MARKER, CompiledQuery
from dashboard.selectors.subqueries import subquery_count
from inventory import figures
from inventory.models import Allocation, Institution, ResearchProject, Team, TeamDailyUsage, TeamMembership
from inventory.thresholds import used_percent_expression

ACTIVE = Allocation.Status.ACTIVE
#: Rows of a team page's per-project and per-pool tables: the largest first, the rest one link away (a team
#: with 509 allocations on 509 pools rendered every one of them).
BREAKDOWN_LIMIT = 20
#: Members listed per page of a team page (a team of 309 people listed them all).
MEMBERS_PER_PAGE = 30


def _team_used_on(day: datetime.date | None):
    """The team's usage on *day* from the daily rollup (inventory/daily_usage.py: latest known values)."""
    if day is None:
        # A typed NULL: PostgreSQL cannot subtract two untyped NULLs.
        return Cast(Value(None), output_field=BigIntegerField())
    rows = TeamDailyUsage.objects.filter(team=OuterRef("pk"), day=day).values("used_bytes")[:1]
    return Subquery(rows, output_field=BigIntegerField())


def team_rows(*, latest_day: datetime.date | None) -> QuerySet[Team]:
    """Teams with projects, allocated, used, % of quota used, allocations over quota and growth over 7 and 30 days.

    Growth is the usage on *latest_day* minus the usage 7 (30) days earlier, both from the
    daily team rollup, NULL where either day has no sample.
    """
    project_count = (
        ResearchProject.objects.filter(team=OuterRef("pk")).order_by().annotate(n=subquery_count()).values("n")
    )
    week_ago = latest_day - datetime.timedelta(days=7) if latest_day else None
    month_ago = latest_day - datetime.timedelta(days=30) if latest_day else None
    return (
        # Names sort as people read them: "dScience" between "CERN" and "MET", not after "Z".
        Team.objects.select_related("institution")
        .alias(sort_name=Lower("name"))
        .annotate(
            project_count=Coalesce(Subquery(project_count, output_field=BigIntegerField()), Value(0)),
            # allocated_bytes, used_bytes, not_reporting_count: inventory.figures, as everywhere.
            **figures.figure_subqueries(
                "project__team", ("allocated_bytes", "used_bytes", "not_reporting_count", "over_quota_count")
            ),
            used_latest_day=_team_used_on(latest_day),
            used_week_ago=_team_used_on(week_ago),
            used_month_ago=_team_used_on(month_ago),
        )
        .annotate(
            used_percent=used_percent_expression("used_bytes", "allocated_bytes"),
            growth_7_bytes=F("used_latest_day") - F("used_week_ago"),
            growth_30_bytes=F("used_latest_day") - F("used_month_ago"),
        )
        .order_by("sort_name", "pk")
    )


#: One team's row for its own page: the figures of team_rows for a single team, from inventory.figures'
#: grouped sums over its allocations (one pass through the projects' team index) instead of team_rows'
#: correlated subqueries, which took longer to build in Python (~5 ms) than PostgreSQL took to run them.
_TEAM_SQL = """
WITH sums AS ({sums})
SELECT t.*,
       i.name AS institution_name, i.slug AS institution_slug, i.short_name AS institution_short_name,
       (SELECT count(*) FROM inventory_researchproject p WHERE p.team_id = t.id) AS project_count,
       (SELECT count(*) FROM inventory_allocation a JOIN inventory_researchproject p ON p.id = a.project_id
         WHERE p.team_id = t.id) AS allocation_total,
       COALESCE(s.allocated_bytes, 0)::bigint AS allocated_bytes, s.used_bytes::bigint AS used_bytes,
       COALESCE(s.not_reporting_count, 0) AS not_reporting_count,
       COALESCE(s.over_quota_count, 0) AS over_quota_count,
       s.used_bytes::numeric(40, 0) * 100 / NULLIF(s.allocated_bytes::numeric(40, 0), 0) AS used_percent,
       latest.used_bytes - week.used_bytes AS growth_7_bytes,
       latest.used_bytes - month.used_bytes AS growth_30_bytes
FROM inventory_team t
LEFT JOIN inventory_institution i ON i.id = t.institution_id
LEFT JOIN sums s ON true
LEFT JOIN inventory_teamdailyusage latest ON latest.team_id = t.id AND latest.day = %s
LEFT JOIN inventory_teamdailyusage week ON week.team_id = t.id AND week.day = %s
LEFT JOIN inventory_teamdailyusage month ON month.team_id = t.id AND month.day = %s
WHERE t.slug = %s
"""


def _team_sums(slug: str, since: datetime.datetime) -> QuerySet:
    """The team's figures from inventory.figures, summed over its allocations (grouped by the team)."""
    return (
        Allocation.objects.filter(figures.counts_as_allocated(), project__team__slug=slug)
        .order_by()
        .values("project__team")
        # The count first: allocation_sums' used_bytes would shadow the field it compares.
        .annotate(
            over_quota_count=figures.over_quota_count(prefiltered=True),
            **figures.allocation_sums(prefiltered=True, since=since),
        )
    )


# Compiled once: building and compiling the sums took longer than the whole statement takes to run.
_TEAM_SUMS = CompiledQuery(_team_sums, slug=TEXT_MARKER, since=MOMENT_MARKER)


def team_figures(slug: str, *, latest_day: datetime.date | None) -> Team | None:
    """The team *slug* with the figures of team_rows (projects, allocated, used, %, not reporting, over quota,
    growth over 7 and 30 days) and ``allocation_total`` (all its allocations, any status), or None: one query."""
    sums_sql, sums_params = _TEAM_SUMS.sql_with_params(slug=slug, since=figures.reporting_since())
    days = [latest_day - datetime.timedelta(days=n) if latest_day else None for n in (0, 7, 30)]
    with connection.cursor() as cursor:
        cursor.execute(_TEAM_SQL.format(sums=sums_sql), (*sums_params, *days, slug))
        columns = [column.name for column in cursor.description]
        row = cursor.fetchone()
    if row is None:
        return None
    team = _team_from_row(dict(zip(columns, row, strict=True)))
    if team.institution_id is not None:
        # Joined above: set the relation so the page does not fetch it again.
        team.institution = Institution(
            id=team.institution_id,
            name=team.institution_name,
            slug=team.institution_slug,
            short_name=team.institution_short_name,
        )
    return team


def _team_from_row(values: dict) -> Team:
    """The Team of a row of _TEAM_SQL (its own columns by name, as Team.objects.raw() would map them) with the
    figures as attributes. Read from the cursor: the raw queryset's column mapping cost more than the row."""
    fields = Team._meta.concrete_fields
    team = Team.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], [values.pop(f.column) for f in fields])
    for name, value in values.items():
        setattr(team, name, value)
    return team


def my_team_rows(user, *, latest_day: datetime.date | None, limit: int = 20) -> list[Team]:
    """The user's own teams with the same figures (one query), for the top of the team list."""
    return list(team_rows(latest_day=latest_day).filter(memberships__user=user)[:limit])


#: One page of a team's members (by role, then name) with how many there are in all. Plain SQL: the ORM's
#: select_related query (every column of each user) took longer to build than to run.
_MEMBERS_SQL = """
SELECT m.id, m.team_id, m.user_id, m.role, count(m.id) OVER () AS total,
       u.username, u.first_name, u.last_name, u.email
FROM inventory_teammembership m
JOIN {users} u ON u.id = m.user_id
WHERE m.team_id = %s
ORDER BY m.role DESC, u.last_name, u.username, m.id
LIMIT %s OFFSET %s
"""


def team_members(team: Team, *, page: int = 1, per_page: int = MEMBERS_PER_PAGE) -> list[TeamMembership]:
    """One page of the team's members (by role, then name); each row's ``total`` counts every member (one query)."""
    start = (max(page, 1) - 1) * per_page
    user_model = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(_MEMBERS_SQL.format(users=user_model._meta.db_table), (team.pk, per_page, start))
        rows = cursor.fetchall()
    members = []
    for membership_id, team_id, user_id, role, total, *user in rows:
        membership = TeamMembership.from_db(
            DEFAULT_DB_ALIAS, ("id", "team_id", "user_id", "role"), (membership_id, team_id, user_id, role)
        )
        membership.total = total
        membership.team = team
        membership.user = user_model.from_db(
            DEFAULT_DB_ALIAS, ("id", "username", "first_name", "last_name", "email"), (user_id, *user)
        )
        members.append(membership)
    return members


#: The per-project and per-pool tables of a team page in ONE statement. The sums per (project, pool) pair
#: come from inventory.figures (the ORM writes them, as everywhere); this adds them up per project (every
#: project of the team, with or without an active allocation) and per pool, keeps the largest of each and
#: counts them all. Two grouped ORM queries cost more Python to build than PostgreSQL took to run them
#: (bench/ANALYSIS.md, the team page against its floor).
_BREAKDOWNS_SQL = """
WITH pairs AS ({pairs}),
projects AS (
    SELECT 'project' AS kind, p.code AS key, p.title AS name, p.status AS status,
           COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username) AS detail, '' AS array_slug,
           {sums}, count(*) OVER () AS total
    FROM inventory_researchproject p
    LEFT JOIN pairs x ON x.project_id = p.id
    LEFT JOIN auth_user u ON u.id = p.principal_investigator_id
    WHERE p.team_id = %s
    GROUP BY p.id, u.id
    ORDER BY allocated_bytes DESC, p.code
    LIMIT %s
),
pools AS (
    SELECT 'pool' AS kind, s.slug AS key, s.name AS name, '' AS status, a.name AS detail, a.slug AS array_slug,
           {sums}, count(*) OVER () AS total
    FROM pairs x
    JOIN inventory_storagepool s ON s.id = x.pool_id
    JOIN inventory_storagearray a ON a.id = s.array_id
    GROUP BY s.id, a.id
    ORDER BY allocated_bytes DESC, a.name, s.name
    LIMIT %s
)
SELECT * FROM projects UNION ALL SELECT * FROM pools
"""

#: Each pair's sums added up per project or pool (sums of sums; used stays NULL where nothing reports).
_SUMS = """
    COALESCE(SUM(x.allocated_bytes), 0)::bigint AS allocated_bytes,
    COALESCE(SUM(x.allocation_count), 0)::bigint AS allocation_count,
    COALESCE(SUM(x.over_quota_count), 0)::bigint AS over_quota_count,
    SUM(x.used_bytes)::bigint AS used_bytes,
    SUM(x.used_bytes)::numeric(40, 0) * 100 / NULLIF(SUM(x.allocated_bytes)::numeric(40, 0), 0) AS used_percent"""


@dataclass
class Breakdowns:
    """A team page's per-project and per-pool rows (dicts), the largest first, and how many there are."""

    projects: list[dict] = field(default_factory=list)
    pools: list[dict] = field(default_factory=list)
    project_total: int = 0
    pool_total: int = 0


def _pair_sums(team_id: int, since: datetime.datetime) -> QuerySet:
    """The team's figures from inventory.figures per (project, pool) pair of its active allocations."""
    return (
        Allocation.objects.filter(figures.counts_as_allocated(), project__team=team_id)
        .values("project_id", "pool_id")
        # The count first: allocation_sums' used_bytes would shadow the field it compares.
        .annotate(
            over_quota_count=figures.over_quota_count(prefiltered=True),
            **figures.allocation_sums(prefiltered=True, since=since),
        )
        .order_by()
    )


# Compiled once, as the team's own sums (_TEAM_SUMS).
_PAIR_SUMS = CompiledQuery(_pair_sums, team_id=ID_MARKER, since=MOMENT_MARKER)


def team_breakdowns(team: Team, *, limit: int = BREAKDOWN_LIMIT) -> Breakdowns:
    """Allocated, used, % of quota and allocations over quota per project and per pool over the team's active
    allocations: the *limit* largest of each (by active quota), in one query."""
    pairs_sql, pairs_params = _PAIR_SUMS.sql_with_params(team_id=team.pk, since=figures.reporting_since())
    sql = _BREAKDOWNS_SQL.format(pairs=pairs_sql, sums=_SUMS)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*pairs_params, team.pk, limit, limit))
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    statuses = dict(ResearchProject.Status.choices)
    result = Breakdowns()
    for row in rows:
        if row["kind"] == "project":
            row["status_label"] = statuses.get(row["status"], row["status"])
            result.projects.append(row)
            result.project_total = row["total"]
        else:
            result.pools.append(row)
            result.pool_total = row["total"]
    return result
