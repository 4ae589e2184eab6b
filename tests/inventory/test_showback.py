"""TB-months (inventory/showback.py) against a plain-Python reading of docs/domain.md over the same samples.

The expected figures are worked out here, day by day, from the samples this test creates, without the
product's SQL: the latest sample within the staleness limit (7 days) is an allocation's usage that day;
its quota counts on the days it is allocated (from its start date; an ended one up to its end date).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pytest

from dashboard.selectors.showback import showback_report
from inventory.models import Allocation, AllocationMonthlyUsage, TeamDailyUsage, TierPrice, UsageSample
from inventory.services.allocations import save_allocation
from inventory.services.rollups import refresh_daily_usage, refresh_monthly_usage
from inventory.services.usage import delete_usage_samples, save_usage_sample
from inventory.showback import TB, Month, monthly_byte_days, months_between, tb_months
from tests.inventory.factories import make_allocation, make_institution, make_pool, make_project, make_team

pytestmark = pytest.mark.django_db

OCTOBER = Month(2026, 10)
STALE = 7
GB = 10**9


def day(n: int, month: int = 10) -> datetime.date:
    return datetime.date(2026, month, n)


def at(d: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(d, datetime.time(hour), tzinfo=datetime.UTC)


@dataclass
class Planned:
    """What the test knows about one allocation: its terms and the samples it was sent."""

    allocation: Allocation
    samples: list[tuple[datetime.datetime, int]] = field(default_factory=list)

    def report(self, moment: datetime.datetime, used: int) -> None:
        """Recorded through the writers' service, which keeps the rollups showback reads true."""
        save_usage_sample(sample=UsageSample(allocation=self.allocation, measured_at=moment, used_bytes=used))
        self.samples.append((moment, used))

    def usage_on(self, d: datetime.date) -> int | None:
        """The latest sample measured on d or the 6 days before (the staleness limit), if any."""
        window = [(m, u) for m, u in self.samples if d - datetime.timedelta(days=STALE - 1) <= m.date() <= d]
        return max(window)[1] if window else None

    def counts_on(self, d: datetime.date) -> bool:
        """Active, or ended on or after d (requested and denied allocations never count)."""
        a = self.allocation
        return a.status == "active" or (a.status in ("expired", "revoked") and a.end_date >= d)


def expected_byte_days(planned: list[Planned], days: list[datetime.date]) -> tuple[int, int]:
    """(allocated, used) byte-days: the quota on each counted day from the start date; the usage on each
    counted day that has one (before the start date too: a report is evidence of use)."""
    allocated = used = 0
    for p in planned:
        for d in days:
            if p.counts_on(d):
                allocated += p.allocation.quota_bytes if p.allocation.start_date <= d else 0
                used += p.usage_on(d) or 0
    return allocated, used


def expected_not_reporting(planned: list[Planned], days: list[datetime.date]) -> int:
    """Allocation-days that count (from the start date) without a sample within the staleness limit."""
    return sum(
        1 for p in planned for d in days if p.counts_on(d) and p.allocation.start_date <= d and p.usage_on(d) is None
    )


def october(through: int = 31) -> list[datetime.date]:
    return [day(n) for n in range(1, through + 1)]


@pytest.fixture
def case(settings):
    """Three allocations of one project: a partial month, late and sparse reports, one ending mid-month."""
    settings.CAPACITY_STALENESS_DAYS = STALE
    institution = make_institution(name="University of Bergen", slug="uib", short_name="UiB")
    project = make_project(team=make_team(institution=institution))
    pool = make_pool(capacity=1000 * TB)
    # Starts on 10 October: a partial month; reports every third day.
    late_starter = Planned(make_allocation(pool=pool, project=project, quota=30 * TB, start_date=day(10)))
    for n in range(10, 32, 3):
        late_starter.report(at(day(n)), n * 100 * GB)
    # Active all month; a September sample carries into October; two samples on one day (the later counts);
    # then silence from 6 to 17 October (not reporting from the 13th), then reports again.
    sparse = Planned(
        make_allocation(pool=make_pool(capacity=1000 * TB), project=project, quota=50 * TB, start_date=day(1, 9))
    )
    sparse.report(at(day(28, 9)), 7 * TB)
    sparse.report(at(day(3), 1), 8 * TB)
    sparse.report(at(day(3), 22), 9 * TB)
    sparse.report(at(day(6)), 10 * TB)
    sparse.report(at(day(18)), 12 * TB)
    # Expired on 15 October: allocated up to and including its end date.
    ended = Planned(
        make_allocation(
            pool=make_pool(capacity=1000 * TB),
            project=project,
            quota=20 * TB,
            start_date=day(1, 6),
            end_date=day(15),
            status=Allocation.Status.EXPIRED,
        )
    )
    for n in range(1, 16):
        ended.report(at(day(n)), 15 * TB + n * GB)
    return [late_starter, sparse, ended]


def test_byte_days_of_a_month_equal_the_plain_python_reading(case):
    rows = monthly_byte_days([OCTOBER], today=day(30, 11))
    allocated, used = expected_byte_days(case, october())
    assert sum(r.allocated_byte_days for r in rows) == allocated
    assert sum(r.used_byte_days for r in rows) == used
    # Per allocation too (one tier each: the rows are per tier, and every pool here is "performance").
    for planned in case:
        a, u = expected_byte_days([planned], october())
        assert a and u  # every allocation contributes, so a wrong filter cannot hide behind a sum
    # The ended allocation's quota counted on exactly 15 days, the late starter's on 22.
    assert expected_byte_days([case[2]], october())[0] == 15 * 20 * TB
    assert expected_byte_days([case[0]], october())[0] == 22 * 30 * TB


def test_tb_months_divide_by_the_days_of_the_month(case):
    report = showback_report([OCTOBER], today=day(30, 11))
    allocated, used = expected_byte_days(case, october())
    assert report.total.allocated == Fraction(allocated, TB * 31)
    assert report.total.used == Fraction(used, TB * 31)
    # 50 TB all month + 30 TB for 22 days + 20 TB for 15 days.
    assert report.total.allocated == 50 + Fraction(30 * 22 + 20 * 15, 31)
    [institution] = report.institutions
    assert institution.name == "University of Bergen"
    [team] = institution.teams.values()
    [project] = team.projects.values()
    assert project.figures.allocated == institution.figures.allocated == report.total.allocated
    # Days not reporting: the sparse allocation from 13 to 17 October (its 6 October sample is stale by then)
    # and from 25 October (its 18 October sample holds for 7 days).
    assert report.total.not_reporting_days == expected_not_reporting(case, october()) == 5 + 7


def test_a_late_report_fills_in_its_days(case):
    before = showback_report([OCTOBER], today=day(30, 11)).total
    sparse = case[1]
    sparse.report(at(day(14)), 11 * TB)  # arrives now, measured weeks ago
    after = showback_report([OCTOBER], today=day(30, 11)).total
    allocated, used = expected_byte_days(case, october())
    assert after.used == Fraction(used, TB * 31)
    assert after.used - before.used == Fraction(11 * TB * 4, TB * 31)  # 14 to 17 October
    assert after.not_reporting_days == expected_not_reporting(case, october()) == 1 + 7  # the 13th, 25th-31st


def test_the_current_month_counts_up_to_today(case):
    report = showback_report([OCTOBER], today=day(20))
    allocated, used = expected_byte_days(case, october(through=20))
    assert (report.total.allocated, report.total.used) == (Fraction(allocated, TB * 31), Fraction(used, TB * 31))
    assert report.partial and report.through == day(20)


def test_a_range_adds_each_months_tb_months(case):
    months = months_between(Month(2026, 9), OCTOBER)
    report = showback_report(months, today=day(30, 11))
    september = [day(n, 9) for n in range(1, 31)]
    sept_allocated, sept_used = expected_byte_days(case, september)
    oct_allocated, oct_used = expected_byte_days(case, october())
    assert report.total.allocated == tb_months(sept_allocated, Month(2026, 9)) + tb_months(oct_allocated, OCTOBER)
    assert report.total.used == tb_months(sept_used, Month(2026, 9)) + tb_months(oct_used, OCTOBER)
    assert [str(m) for m, _ in report.per_month] == ["2026-09", "2026-10"]
    assert report.per_month[0][1].allocated == Fraction(sept_allocated, TB * 30)


def test_team_totals_equal_the_team_daily_rollup(case):
    """One definition: the team's daily rollup, summed over the month, gives the same used byte-days."""
    refresh_daily_usage()
    rollup = sum(TeamDailyUsage.objects.filter(day__gte=day(1), day__lte=day(31)).values_list("used_bytes", flat=True))
    rows = monthly_byte_days([OCTOBER], today=day(30, 11))
    assert sum(r.used_byte_days for r in rows) == rollup


def test_cost_prices_allocated_tb_months_per_tier(case):
    TierPrice.objects.create(tier="performance", price_per_tb_month=Decimal("12.50"), currency="NOK")
    report = showback_report([OCTOBER], today=day(30, 11))
    assert report.currency == "NOK"
    assert report.total.cost == report.total.allocated * Fraction("12.50")
    assert "archive" in report.unpriced_tiers


def test_requested_and_denied_allocations_never_count(settings):
    settings.CAPACITY_STALENESS_DAYS = STALE
    pool = make_pool()
    for status in (Allocation.Status.REQUESTED, Allocation.Status.DENIED):
        allocation = make_allocation(pool=pool, status=status, start_date=day(1))
        save_usage_sample(sample=UsageSample(allocation=allocation, measured_at=at(day(2)), used_bytes=TB))
    assert monthly_byte_days([OCTOBER], today=day(30, 11)) == []


def test_a_deleted_sample_leaves_the_figures_of_the_samples_left(case):
    sparse = case[1]
    delete_usage_samples(samples=UsageSample.objects.filter(allocation=sparse.allocation, measured_at=at(day(18))))
    sparse.samples.remove((at(day(18)), 12 * TB))
    rows = monthly_byte_days([OCTOBER], today=day(30, 11))
    allocated, used = expected_byte_days(case, october())
    assert sum(r.used_byte_days for r in rows) == used
    assert sum(r.not_reporting_days for r in rows) == expected_not_reporting(case, october()) == 5 + 14


def test_a_sample_carries_into_the_next_months_figures(case):
    """A sample of 30 October holds until 5 November: November's figures have it though no November sample."""
    late_starter = case[0]
    late_starter.report(at(day(30)), 33 * TB)
    november = [day(n, 11) for n in range(1, 31)]
    rows = monthly_byte_days([Month(2026, 11)], today=day(30, 11))
    allocated, used = expected_byte_days(case, november)
    assert sum(r.used_byte_days for r in rows) == used > 0
    assert sum(r.not_reporting_days for r in rows) == expected_not_reporting(case, november)


def test_an_allocation_ended_mid_month_needs_no_refresh_of_the_rollup(case):
    """Which days count is read from the allocation as it is now: revoking one changes its figures at once."""
    late_starter = case[0]
    allocation = late_starter.allocation
    allocation.status = Allocation.Status.REVOKED
    allocation.end_date = day(20)
    save_allocation(allocation=allocation)
    rows = monthly_byte_days([OCTOBER], today=day(30, 11))
    allocated, used = expected_byte_days(case, october())
    assert sum(r.allocated_byte_days for r in rows) == allocated
    assert sum(r.used_byte_days for r in rows) == used
    assert sum(r.not_reporting_days for r in rows) == expected_not_reporting(case, october())
    assert expected_byte_days([late_starter], october())[0] == 11 * 30 * TB  # 10 to 20 October


def test_the_rollup_written_a_sample_at_a_time_equals_one_written_at_once(case):
    def rows():
        return sorted(
            AllocationMonthlyUsage.objects.values_list("allocation_id", "month", "used_byte_days", "reported_days")
        )

    written = rows()
    assert written  # the writes above filled it
    AllocationMonthlyUsage.objects.all().delete()
    refresh_monthly_usage()
    assert rows() == written


def test_byte_days_past_64_bits_are_exact(settings):
    """A month of usage reported near 2^63 bytes passes the 64-bit range: summed exactly all the same."""
    settings.CAPACITY_STALENESS_DAYS = STALE
    huge = 2**63 - 1  # what an import accepts (tests/inventory/management/commands/test_import_usage.py)
    allocation = make_allocation(pool=make_pool(), quota=10 * TB, start_date=day(1, 9))
    for n in range(1, 32):
        save_usage_sample(sample=UsageSample(allocation=allocation, measured_at=at(day(n)), used_bytes=huge))
    [row] = monthly_byte_days([OCTOBER], today=day(30, 11))
    assert row.used_byte_days == huge * 31
    assert row.allocated_byte_days == 10 * TB * 31
    assert row.not_reporting_days == 0
