"""The showback report: TB-months allocated and used per institution, team and project, and their cost.

The byte-days come from inventory/showback.py (one query, the one definition); this module adds them up
per project, team, institution and month, and prices allocated TB-months by pool tier (TierPrice, one
query). TB-months and costs are exact fractions until a page or file rounds them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.paginator import Page, Paginator
from django.db import connection, transaction

from inventory.models import StoragePool, TierPrice
from inventory.showback import (
    ByteDays,
    Month,
    figures_query,
    monthly_byte_days,
    read_rollup,
    tb_months,
    without_jit,
)


class Figures:
    """TB-months allocated and used, the cost of the allocated ones, and allocation-days not reporting.

    Rows add exact integer byte-days per month and tier (cheap); the TB-months and the cost, exact
    fractions, are worked out once, when first read (each month divided by its own number of days).
    """

    __slots__ = (
        "_months",
        "_tiers",
        "_prices",
        "_cache",
        "not_reporting_days",
        "allocated_byte_days",
        "used_byte_days",
    )

    def __init__(self, prices: dict[str, Fraction] | None = None) -> None:
        self._months: dict[Month, list[int]] = {}  # month -> [allocated, used] byte-days
        self._tiers: dict[tuple[Month, str], int] = {}  # (month, tier) -> allocated byte-days, for the cost
        self._prices = prices or {}
        self._cache: tuple[Fraction, Fraction, Fraction] | None = None
        self.not_reporting_days = 0
        # Exact, for the exports' lines of one month (byte-days of months of different lengths differ).
        self.allocated_byte_days = 0
        self.used_byte_days = 0

    def add(self, row: ByteDays) -> None:
        sums = self._months.setdefault(row.month, [0, 0])
        sums[0] += row.allocated_byte_days
        sums[1] += row.used_byte_days
        key = (row.month, row.tier)
        self._tiers[key] = self._tiers.get(key, 0) + row.allocated_byte_days
        self.not_reporting_days += row.not_reporting_days
        self.allocated_byte_days += row.allocated_byte_days
        self.used_byte_days += row.used_byte_days
        self._cache = None

    def _figures(self) -> tuple[Fraction, Fraction, Fraction]:
        if self._cache is None:
            allocated = sum((tb_months(a, month) for month, (a, _) in self._months.items()), Fraction(0))
            used = sum((tb_months(u, month) for month, (_, u) in self._months.items()), Fraction(0))
            cost = sum(
                (
                    tb_months(a, month) * self._prices[tier]
                    for (month, tier), a in self._tiers.items()
                    if tier in self._prices
                ),
                Fraction(0),
            )
            self._cache = (allocated, used, cost)
        return self._cache

    @property
    def allocated(self) -> Fraction:
        return self._figures()[0]

    @property
    def used(self) -> Fraction:
        return self._figures()[1]

    @property
    def cost(self) -> Fraction:
        return self._figures()[2]


@dataclass(slots=True)
class ProjectLine:
    code: str
    title: str
    figures: Figures


@dataclass(slots=True)
class TeamGroup:
    slug: str
    name: str
    figures: Figures
    projects: dict[int, ProjectLine] = field(default_factory=dict)


@dataclass(slots=True)
class InstitutionGroup:
    slug: str | None  # None: teams that belong to no institution
    name: str
    figures: Figures
    teams: dict[int, TeamGroup] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One project in one month, every tier added up: a line of the CSV and XLSX files."""

    month: Month
    institution: str
    team: str
    project_code: str
    project_title: str
    figures: Figures


@dataclass(slots=True)
class ShowbackReport:
    months: list[Month]
    through: datetime.date  # the last day with figures (today, inside the current month)
    currency: str | None  # None: no tier has a price, and no cost is shown
    unpriced_tiers: list[str]
    institutions: list[InstitutionGroup]
    per_month: list[tuple[Month, Figures]]
    total: Figures
    export_rows: list[ExportRow]

    @property
    def project_count(self) -> int:
        return sum(len(team.projects) for institution in self.institutions for team in institution.teams.values())

    @property
    def partial(self) -> bool:
        return self.through < self.months[-1].last_day


NO_INSTITUTION = "No institution"


def tier_prices() -> tuple[dict[str, Fraction], str | None]:
    """Price per TB-month of each priced tier, and their currency (one query)."""
    prices = list(TierPrice.objects.values_list("tier", "price_per_tb_month", "currency"))
    return {tier: Fraction(price) for tier, price, _ in prices}, (prices[0][2] if prices else None)


def unpriced_tiers(prices: dict[str, Fraction], currency: str | None) -> list[str]:
    """The pool tiers without a price, once any tier has one (then their TB-months add no cost)."""
    if not currency:
        return []
    return sorted({tier for tier, _ in StoragePool.Tier.choices} - prices.keys())


def showback_report(months: list[Month], *, today: datetime.date, **scope) -> ShowbackReport:
    """The report over *months*: every team, or as *scope* narrows it (``viewer_id``, ``team_slug``,
    ``institution_slug``: see monthly_byte_days). Two queries."""
    prices, currency = tier_prices()
    rows = monthly_byte_days(months, today=today, **scope)
    institutions: dict[int | None, InstitutionGroup] = {}
    per_month = {month: Figures(prices) for month in months}
    per_project_month: dict[tuple[Month, int], ExportRow] = {}
    total = Figures(prices)
    for row in rows:
        institution, team, project = _lines(institutions, row, prices)
        export = per_project_month.get((row.month, row.project_id))
        if export is None:
            export = per_project_month[row.month, row.project_id] = ExportRow(
                row.month, institution.name, row.team_name, row.project_code, row.project_title, Figures(prices)
            )
        for figures in (
            institution.figures,
            team.figures,
            project.figures,
            per_month[row.month],
            total,
            export.figures,
        ):
            figures.add(row)
    # The query orders by institution name with "none" last, then team and project: keep that order.
    return ShowbackReport(
        months=months,
        through=min(today, months[-1].last_day),
        currency=currency,
        unpriced_tiers=unpriced_tiers(prices, currency),
        institutions=list(institutions.values()),
        per_month=list(per_month.items()),
        total=total,
        export_rows=sorted(per_project_month.values(), key=lambda r: (str(r.month), _order(r))),
    )


def _lines(institutions: dict, row: ByteDays, prices: dict) -> tuple[InstitutionGroup, TeamGroup, ProjectLine]:
    """The institution, team and project lines *row* adds to, made when first seen."""
    institution = institutions.get(row.institution_id)
    if institution is None:
        name = row.institution_name or NO_INSTITUTION
        institution = institutions[row.institution_id] = InstitutionGroup(row.institution_slug, name, Figures(prices))
    team = institution.teams.get(row.team_id)
    if team is None:
        team = institution.teams[row.team_id] = TeamGroup(row.team_slug, row.team_name, Figures(prices))
    project = team.projects.get(row.project_id)
    if project is None:
        project = team.projects[row.project_id] = ProjectLine(row.project_code, row.project_title, Figures(prices))
    return institution, team, project


def _order(row: ExportRow) -> tuple:
    return (row.institution == NO_INSTITUTION, row.institution.lower(), row.team.lower(), row.project_code)


# The page: every month's and institution's figures, and one page of lines (a team each, or with a team
# chosen, a project each), in one query over the same figures, added up per month, tier and line first
# (per tier, as the cost needs).
_SUMMARY = """,
tiered AS ({tiered}),
line_ids AS (SELECT DISTINCT {line_key} AS id FROM tiered),
-- A page after the last one shows the last one (as the paginator says).
page AS (SELECT count(*) AS lines, least(%(offset)s, (count(*) - 1) / %(limit)s * %(limit)s) AS start FROM line_ids),
lines AS ({ranked})
SELECT 'month', NULL::bigint, month, tier, sum(allocated), sum(used), sum(not_reporting),
       NULL::text, NULL::text, NULL::text, NULL::bigint
  FROM tiered GROUP BY month, tier
 UNION ALL
SELECT 'institution', institution_id, month, tier, sum(allocated), sum(used), sum(not_reporting),
       i.slug, i.name, NULL, NULL
  FROM tiered LEFT JOIN inventory_institution i ON i.id = tiered.institution_id
 GROUP BY institution_id, i.slug, i.name, month, tier
 UNION ALL
SELECT 'line', l.id, month, tier, sum(allocated), sum(used), sum(not_reporting),
       {line_columns}, l.position
  FROM tiered JOIN lines l ON l.id = tiered.{line_key}
  {line_names}
 CROSS JOIN page
 WHERE l.position > page.start AND l.position <= page.start + %(limit)s
 GROUP BY l.id, l.position, month, tier, {line_columns}
 UNION ALL
SELECT 'lines', lines, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM page
"""

# Teams: a team's figures come one row per month and tier already (team_figures). They are listed by
# institution name (none last), then team name: each institution's first teams up to the page's end are
# read in order from the index team_by_institution_and_name, so that the page never sorts every team.
_TEAM_LINES = {
    "tiered": """
    SELECT month, tier, team_id, institution_id, allocated_byte_days AS allocated, used_byte_days AS used,
           not_reporting_days AS not_reporting
      FROM team_figures""",
    "line_key": "team_id",
    "ranked": """
    SELECT x.id, row_number() OVER (ORDER BY inst.position, x.sort_name, x.id) AS position
      FROM (SELECT i.id, row_number() OVER (ORDER BY lower(i.name), i.id) AS position FROM inventory_institution i
             UNION ALL
            SELECT NULL, NULL) inst
     CROSS JOIN page
     CROSS JOIN LATERAL (
           (SELECT t.id, lower(t.name) AS sort_name FROM inventory_team t
             WHERE t.institution_id = inst.id AND t.id IN (SELECT id FROM line_ids)
             ORDER BY lower(t.name), t.id LIMIT page.start + %(limit)s)
            UNION ALL
           (SELECT t.id, lower(t.name) FROM inventory_team t
             WHERE inst.id IS NULL AND t.institution_id IS NULL AND t.id IN (SELECT id FROM line_ids)
             ORDER BY lower(t.name), t.id LIMIT page.start + %(limit)s)) x""",
    "line_names": "JOIN inventory_team t ON t.id = l.id LEFT JOIN inventory_institution i ON i.id = t.institution_id",
    "line_columns": "t.slug, t.name, i.name",
}
# One team's projects: added up from its allocations', listed by code.
_PROJECT_LINES = {
    "tiered": """
    SELECT month, tier, project_id, institution_id,
           sum(allocated_byte_days) AS allocated, sum(used_byte_days) AS used,
           sum(not_reporting_days) AS not_reporting
      FROM figures
     GROUP BY month, tier, project_id, institution_id""",
    "line_key": "project_id",
    "ranked": """
    SELECT x.id, row_number() OVER (ORDER BY p.code) AS position
      FROM line_ids x JOIN inventory_researchproject p ON p.id = x.id""",
    "line_names": "JOIN inventory_researchproject p ON p.id = l.id",
    "line_columns": "p.code, p.title, NULL::text",
}


@dataclass(slots=True)
class Line:
    """A team (its slug and name, and its institution's name) or a project (its code and title) on the page."""

    key: str
    name: str
    institution: str | None
    figures: Figures


@dataclass(slots=True)
class ShowbackSummary:
    """What the page shows: totals per month, per institution, and one page of teams or of one team's projects."""

    months: list[Month]
    through: datetime.date
    currency: str | None
    unpriced_tiers: list[str]
    institutions: list[InstitutionGroup]  # without their teams
    per_month: list[tuple[Month, Figures]]
    total: Figures
    lines_are_projects: bool
    lines: list[Line]
    page_obj: Page

    @property
    def partial(self) -> bool:
        return self.through < self.months[-1].last_day


class _Counted:
    """A sized sequence for the paginator: the lines are counted in SQL, never listed in Python."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return range(self.count)[index]


def showback_summary(
    months: list[Month], *, today: datetime.date, page: int = 1, per_page: int = 50, **scope
) -> ShowbackSummary:
    """The page's figures over *months* (scoped as showback_report), with the teams, or with ``team_slug`` that
    team's projects, paged by *per_page*. Three queries, whatever the number of teams and projects."""
    prices, currency = tier_prices()
    by_day = {month.first_day: month for month in months}
    per_month = {month: Figures(prices) for month in months}
    total = Figures(prices)
    institutions: dict[int | None, InstitutionGroup] = {}
    lines: dict[int, tuple[int, Line]] = {}
    count = 0
    shape = _PROJECT_LINES if scope.get("team_slug") else _TEAM_LINES
    page = max(page, 1)
    select = _SUMMARY.format(**shape)
    rows = []
    # The rollup's state and the figures are read at one moment (the worker may refresh in between); inside
    # an outer transaction (tests) that transaction's moment holds already.
    snapshot = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        without_jit(cursor, snapshot=snapshot)
        # One team's projects are few: worked out from its allocations. Teams are read from the team rollup.
        rollup = None if scope.get("team_slug") else read_rollup(cursor, months)
        offset = (page - 1) * per_page
        query = figures_query(select, months, today=today, offset=offset, limit=per_page, rollup=rollup, **scope)
        if query is not None:
            cursor.execute(*query)
            rows = cursor.fetchall()
    for level, key, day, tier, allocated, used, not_reporting, slug, name, institution, position in rows:
        if level == "lines":
            count = key
            continue
        row = _Sums(by_day[day], tier, int(allocated), int(used), int(not_reporting))
        if level == "month":
            per_month[row.month].add(row)
            total.add(row)
        elif level == "institution":
            group = institutions.get(key)
            if group is None:
                group = institutions[key] = InstitutionGroup(slug, name or NO_INSTITUTION, Figures(prices))
            group.figures.add(row)
        else:
            line = lines.get(key)
            if line is None:
                line = lines[key] = (position, Line(slug, name, institution or NO_INSTITUTION, Figures(prices)))
            line[1].figures.add(row)
    return ShowbackSummary(
        months=months,
        through=min(today, months[-1].last_day),
        currency=currency,
        unpriced_tiers=unpriced_tiers(prices, currency),
        institutions=sorted(institutions.values(), key=lambda i: (i.slug is None, i.name.lower(), i.name)),
        per_month=list(per_month.items()),
        total=total,
        lines_are_projects=bool(scope.get("team_slug")),
        lines=[line for _, line in sorted(lines.values(), key=lambda pair: pair[0])],
        page_obj=Paginator(_Counted(count), per_page).get_page(page),
    )


@dataclass(frozen=True, slots=True)
class _Sums:
    """Byte-days of one month and tier: what Figures.add reads."""

    month: Month
    tier: str
    allocated_byte_days: int
    used_byte_days: int
    not_reporting_days: int
