"""The showback page's team rollup (inventory/services/team_showback.py): the worker's refresh gives the
figures the definition gives, and a team whose figures may have changed since is never read from it (the
database marks it stale on every write that matters, whoever the writer)."""

import datetime

import psycopg
import pytest
from django.db import connection

from dashboard.selectors.showback import showback_summary
from inventory.models import Allocation, ShowbackRollupMonth, ShowbackStaleTeam, TeamMonthlyShowback, UsageSample
from inventory.services.allocations import approve_allocation, create_allocation, save_allocation
from inventory.services.team_showback import refresh_team_showback, rollup_months
from inventory.services.usage import save_usage_sample
from inventory.showback import TB, Month, tb_months
from tests.config.servers import database_url
from tests.inventory.factories import make_allocation, make_pool, make_project, make_team, make_user
from tests.inventory.test_showback import (  # noqa: F401 (case is a fixture)
    OCTOBER,
    at,
    case,
    day,
    expected_byte_days,
    expected_not_reporting,
    october,
)

pytestmark = pytest.mark.django_db

MID_NOVEMBER = datetime.date(2026, 11, 15)


@pytest.fixture
def planned(request):
    """test_showback's three allocations of one team, with their samples (its fixture ``case``)."""
    return request.getfixturevalue("case")


def stale_teams() -> set[int]:
    return set(ShowbackStaleTeam.objects.values_list("team_id", flat=True))


def snapshot(months: list[Month], today: datetime.date, **scope) -> tuple:
    """Everything the page shows, comparable."""
    summary = showback_summary(months, today=today, **scope)

    def f(figures):
        return (figures.allocated, figures.used, figures.cost, figures.not_reporting_days)

    return (
        [(str(month), f(figures)) for month, figures in summary.per_month],
        f(summary.total),
        [(i.name, f(i.figures)) for i in summary.institutions],
        [(line.key, line.name, f(line.figures)) for line in summary.lines],
        summary.page_obj.paginator.count,
    )


def worked_out(months: list[Month], today: datetime.date, **scope) -> tuple:
    """The same, with every team stale: worked out from the allocations, not read from the rollup."""
    teams = set(TeamMonthlyShowback.objects.values_list("team_id", flat=True))
    marks = ShowbackStaleTeam.objects.bulk_create([ShowbackStaleTeam(team_id=team_id) for team_id in teams])
    try:
        return snapshot(months, today, **scope)
    finally:
        ShowbackStaleTeam.objects.filter(pk__in=[mark.pk for mark in marks]).delete()


def test_a_whole_month_equals_the_definition_day_by_day(planned):
    team = planned[0].allocation.project.team
    refreshed = refresh_team_showback(today=MID_NOVEMBER)
    assert [str(m) for m in refreshed.months] == [str(m) for m in rollup_months(MID_NOVEMBER)]
    assert str(refreshed.months[0]) == "2025-11" and str(refreshed.months[-1]) == "2026-11"
    assert set(ShowbackRollupMonth.objects.values_list("month", flat=True)) == {m.first_day for m in refreshed.months}
    assert stale_teams() == set()
    rows = TeamMonthlyShowback.objects.filter(team=team, month=OCTOBER.first_day)
    allocated, used = expected_byte_days(planned, october())
    assert sum(r.allocated_byte_days for r in rows) == allocated
    assert sum(r.used_byte_days for r in rows) == used
    assert sum(r.not_reporting_days for r in rows) == expected_not_reporting(planned, october())
    # A month that is over keeps its sums only.
    assert all(r.counted_running is None and r.allocated_running is None for r in rows)
    from_rollup = snapshot([OCTOBER], MID_NOVEMBER)
    assert from_rollup[1][0] == tb_months(allocated, OCTOBER)
    assert from_rollup == worked_out([OCTOBER], MID_NOVEMBER)


def test_the_current_month_is_read_through_today_then_kept_whole(planned):
    today = day(20)
    refresh_team_showback(today=today)
    allocated, used = expected_byte_days(planned, october(20))
    summary = snapshot([OCTOBER], today)
    assert summary[1][:2] == (tb_months(allocated, OCTOBER), tb_months(used, OCTOBER))
    assert summary[1][3] == expected_not_reporting(planned, october(20))
    assert summary == worked_out([OCTOBER], today)
    assert TeamMonthlyShowback.objects.filter(month=OCTOBER.first_day, counted_running__isnull=False).exists()
    # November begins: the worker works it out once, and October keeps its sums only.
    refreshed = refresh_team_showback(today=datetime.date(2026, 11, 2))
    assert [str(m) for m in refreshed.months] == ["2026-11"] and refreshed.teams == 0
    assert not TeamMonthlyShowback.objects.filter(month=OCTOBER.first_day, counted_running__isnull=False).exists()
    assert not ShowbackRollupMonth.objects.filter(month=datetime.date(2025, 10, 1)).exists()  # out of the window
    allocated, used = expected_byte_days(planned, october())
    assert snapshot([OCTOBER], MID_NOVEMBER)[1][:2] == (tb_months(allocated, OCTOBER), tb_months(used, OCTOBER))
    assert snapshot([OCTOBER], MID_NOVEMBER) == worked_out([OCTOBER], MID_NOVEMBER)


def test_a_month_outside_the_rollup_is_worked_out(planned):
    refresh_team_showback(today=datetime.date(2027, 12, 1))  # covers December 2026 to December 2027
    assert not ShowbackRollupMonth.objects.filter(month=OCTOBER.first_day).exists()
    allocated, _ = expected_byte_days(planned, october())
    assert snapshot([OCTOBER], MID_NOVEMBER)[1][0] == tb_months(allocated, OCTOBER)


@pytest.fixture
def two_teams():
    pool = make_pool(capacity=1000 * TB, tier="performance")
    mine, theirs = make_team(), make_team()
    project = make_project(team=mine)
    allocation = make_allocation(pool=pool, project=project, quota=10 * TB, start_date=datetime.date(2026, 1, 1))
    make_allocation(pool=pool, project=make_project(team=theirs), quota=5 * TB, start_date=datetime.date(2026, 1, 1))
    refresh_team_showback()
    assert stale_teams() == set()
    return pool, mine, theirs, project, allocation


def test_every_write_that_changes_a_teams_figures_marks_it_stale(two_teams):
    pool, mine, theirs, project, allocation = two_teams
    staff_user = make_user(is_staff=True)
    allocation.quota_bytes = 20 * TB
    save_allocation(allocation=allocation)
    assert stale_teams() == {mine.pk}
    refresh_team_showback()

    requested = create_allocation(project=project, pool=make_pool(capacity=100 * TB), quota_bytes=TB)
    assert stale_teams() == set()  # a request counts nowhere
    approve_allocation(allocation=requested, approved_by=staff_user)
    assert stale_teams() == {mine.pk}
    refresh_team_showback()

    save_usage_sample(sample=UsageSample(allocation=allocation, measured_at=at(day(3, 11)), used_bytes=TB))
    assert stale_teams() == {mine.pk}
    refresh_team_showback()

    project.team = theirs
    project.save()
    assert stale_teams() == {mine.pk, theirs.pk}
    refresh_team_showback()

    pool.tier = "archive"
    pool.save()
    assert stale_teams() == {theirs.pk}  # both allocations on it are theirs now
    refresh_team_showback()

    Allocation.objects.filter(pk=requested.pk).delete()
    assert stale_teams() == {theirs.pk}
    # Writes that change no figure mark nothing: the latest usage, a team's description.
    refresh_team_showback()
    Allocation.objects.filter(pk=allocation.pk).update(used_bytes=TB)
    theirs.description = "moved"
    theirs.save()
    assert stale_teams() == set()


def test_an_edit_shows_before_the_worker_runs(two_teams):
    _pool, mine, _theirs, _project, allocation = two_teams
    month = Month.of(datetime.datetime.now(datetime.UTC).date())
    today = datetime.datetime.now(datetime.UTC).date()
    before = snapshot([month], today)
    allocation.quota_bytes = 30 * TB
    save_allocation(allocation=allocation)
    after = snapshot([month], today)
    assert after[1][0] == before[1][0] * 35 / 15  # 10 + 5 TB became 30 + 5 TB
    refresh_team_showback()
    assert stale_teams() == set() and snapshot([month], today) == after


def test_the_worker_refreshes_every_minute(two_teams):
    from procrastinate.contrib.django import app

    from inventory import tasks

    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["showback"].cron == "* * * * *" and periodic["showback"].task is tasks.refresh_showback
    _pool, mine, _theirs, _project, allocation = two_teams
    allocation.quota_bytes = 11 * TB
    save_allocation(allocation=allocation)
    assert stale_teams() == {mine.pk}
    today = datetime.datetime.now(datetime.UTC).date()
    expected = worked_out([Month.of(today)], today)
    tasks.refresh_showback(timestamp=0)
    assert stale_teams() == set()
    assert snapshot([Month.of(today)], today) == expected


def test_a_mark_names_the_first_month_that_may_have_changed(two_teams):
    _pool, mine, theirs, _project, allocation = two_teams
    today = datetime.datetime.now(datetime.UTC).date()
    this_month, last_month = Month.of(today), Month.of(today.replace(day=1) - datetime.timedelta(days=1))
    # A sample of today changes this month's figures only.
    save_usage_sample(sample=UsageSample(allocation=allocation, measured_at=at(today, hour=0), used_bytes=TB))
    assert set(ShowbackStaleTeam.objects.values_list("team_id", "since")) == {(mine.pk, this_month.first_day)}
    # Last month is still read from the rollup (a row set aside here shows it), this month is worked out.
    TeamMonthlyShowback.objects.filter(team=mine, month=last_month.first_day).update(allocated_byte_days=0)
    before = worked_out([last_month], today)
    assert snapshot([last_month], today) != before
    assert snapshot([this_month], today) == worked_out([this_month], today)
    # The worker refreshes this month only: last month's row stays as it was set aside.
    refresh_team_showback()
    assert TeamMonthlyShowback.objects.get(team=mine, month=last_month.first_day).allocated_byte_days == 0
    assert stale_teams() == set()
    # A change of terms marks every month.
    allocation.quota_bytes = 12 * TB
    save_allocation(allocation=allocation)
    assert set(ShowbackStaleTeam.objects.values_list("team_id", "since")) == {(mine.pk, None)}
    refresh_team_showback()
    assert snapshot([last_month], today) == worked_out([last_month], today)
    assert snapshot([last_month], today)[1][0] == before[1][0] * 17 / 15  # 10 + 5 TB became 12 + 5 TB


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_marking_the_same_teams_never_wait_for_each_other():
    """Each holds its marks uncommitted while the other marks the same teams in the opposite order: with a
    unique mark per team the second would wait for the first (and then they would deadlock)."""
    first, second = make_team(), make_team()
    # One pool each: a quota change locks its pool (the capacity rule), which is not what is tested here.
    allocations = [
        make_allocation(pool=make_pool(capacity=1000 * TB), project=make_project(team=team))
        for team in (first, second) * 2
    ]
    url = database_url(connection.settings_dict)
    with psycopg.connect(url) as one, psycopg.connect(url) as two:
        for conn in (one, two):
            conn.execute("SET lock_timeout = '2s'")
        quota = "UPDATE inventory_allocation SET quota_bytes = quota_bytes + 1 WHERE id = %s"
        one.execute(quota, [allocations[0].pk])  # marks first
        two.execute(quota, [allocations[3].pk])  # marks second
        two.execute(quota, [allocations[2].pk])  # marks first: no wait for one
        one.execute(quota, [allocations[1].pk])  # marks second: no wait for two
        one.commit()
        two.commit()
    assert stale_teams() >= {first.pk, second.pk}
    refresh_team_showback()
    assert stale_teams() == set()
