"""The showback report: TB-months allocated and used per institution, team and project, and their cost.

The byte-days come from inventory/showback.py (one query, the one definition); this module adds them up
per project, team, institution and month, and prices allocated TB-months by pool tier (TierPrice, one
query). TB-months and costs are exact fractions until a page or file rounds them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from fractions import Fraction

from inventory.models import StoragePool, TierPrice
from inventory.showback import ByteDays, Month, monthly_byte_days, tb_months


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
    tiers = {tier for tier, _ in StoragePool.Tier.choices}
    return ShowbackReport(
        months=months,
        through=min(today, months[-1].last_day),
        currency=currency,
        unpriced_tiers=sorted(tiers - prices.keys()) if currency else [],
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
