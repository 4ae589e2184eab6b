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


@dataclass(slots=True)
class Figures:
    """TB-months allocated and used, the cost of the allocated ones, and allocation-days not reporting."""

    allocated: Fraction = Fraction(0)
    used: Fraction = Fraction(0)
    cost: Fraction = Fraction(0)
    not_reporting_days: int = 0
    allocated_byte_days: int = 0  # exact, for exports of one month (byte-days of different months differ)
    used_byte_days: int = 0

    def add(self, row: ByteDays, prices: dict[str, Fraction]) -> None:
        allocated = tb_months(row.allocated_byte_days, row.month)
        self.allocated += allocated
        self.used += tb_months(row.used_byte_days, row.month)
        self.cost += allocated * prices.get(row.tier, 0)
        self.not_reporting_days += row.not_reporting_days
        self.allocated_byte_days += row.allocated_byte_days
        self.used_byte_days += row.used_byte_days


@dataclass(slots=True)
class ProjectLine:
    code: str
    title: str
    figures: Figures = field(default_factory=Figures)


@dataclass(slots=True)
class TeamGroup:
    slug: str
    name: str
    figures: Figures = field(default_factory=Figures)
    projects: dict[int, ProjectLine] = field(default_factory=dict)


@dataclass(slots=True)
class InstitutionGroup:
    slug: str | None  # None: teams that belong to no institution
    name: str
    figures: Figures = field(default_factory=Figures)
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
    per_month = {month: Figures() for month in months}
    per_project_month: dict[tuple[Month, int], ExportRow] = {}
    total = Figures()
    for row in rows:
        institution = institutions.setdefault(
            row.institution_id, InstitutionGroup(row.institution_slug, row.institution_name or NO_INSTITUTION)
        )
        team = institution.teams.setdefault(row.team_id, TeamGroup(row.team_slug, row.team_name))
        project = team.projects.setdefault(row.project_id, ProjectLine(row.project_code, row.project_title))
        export = per_project_month.setdefault(
            (row.month, row.project_id),
            ExportRow(row.month, institution.name, row.team_name, row.project_code, row.project_title, Figures()),
        )
        for figures in (
            institution.figures,
            team.figures,
            project.figures,
            per_month[row.month],
            total,
            export.figures,
        ):
            figures.add(row, prices)
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


def _order(row: ExportRow) -> tuple:
    return (row.institution == NO_INSTITUTION, row.institution.lower(), row.team.lower(), row.project_code)
