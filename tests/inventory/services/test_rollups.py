"""The daily rollups equal the sums of the samples they summarise."""

import datetime
import json

import pytest
from django.utils import timezone

from inventory.models import Allocation, AllocationMonthlyUsage, PoolDailyUsage, TeamDailyUsage, UsageSample
from inventory.services import usage_state
from inventory.services.rollups import refresh_daily_usage
from inventory.services.usage_import import import_usage_file
from inventory.services.usage_state import refresh_every_usage_state
from tests.inventory.factories import TB, make_allocation, make_pool, make_project

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_rollup_sums_each_allocations_last_sample_of_the_day_per_pool_and_team():
    pool = make_pool(capacity=500 * TB)
    first = make_allocation(pool=pool, quota=100 * TB)
    second = make_allocation(pool=pool, quota=100 * TB, project=make_project(team=first.project.team))
    UsageSample.objects.create(allocation=first, measured_at=at(DAY, 0), used_bytes=1 * TB)
    UsageSample.objects.create(allocation=first, measured_at=at(DAY, 12), used_bytes=3 * TB)  # last of the day
    UsageSample.objects.create(allocation=second, measured_at=at(DAY, 6), used_bytes=5 * TB, physical_used_bytes=2 * TB)
    UsageSample.objects.create(allocation=second, measured_at=at(DAY + datetime.timedelta(days=1)), used_bytes=7)

    assert refresh_daily_usage(days=[DAY]) == 1

    pool_day = PoolDailyUsage.objects.get(pool=pool, day=DAY)
    assert (pool_day.used_bytes, pool_day.physical_used_bytes, pool_day.allocations) == (8 * TB, 5 * TB, 2)
    team_day = TeamDailyUsage.objects.get(team=first.project.team, day=DAY)
    assert team_day.used_bytes == 8 * TB
    assert not PoolDailyUsage.objects.filter(day=DAY + datetime.timedelta(days=1)).exists()


def test_refreshing_again_replaces_rather_than_adds():
    allocation = make_allocation(pool=make_pool())
    UsageSample.objects.create(allocation=allocation, measured_at=at(DAY), used_bytes=10)
    refresh_daily_usage()
    UsageSample.objects.create(allocation=allocation, measured_at=at(DAY, 23), used_bytes=15)
    refresh_daily_usage(days=[DAY])
    assert PoolDailyUsage.objects.get(day=DAY).used_bytes == 15
    assert PoolDailyUsage.objects.filter(day=DAY).count() == 1


_DAILY_FIELDS = ("day", "used_bytes", "physical_used_bytes", "allocations", "not_reporting")


def _rollups() -> dict[str, list[tuple]]:
    return {
        "pools": sorted(PoolDailyUsage.objects.values_list(*_DAILY_FIELDS, "pool_id")),
        "teams": sorted(TeamDailyUsage.objects.values_list(*_DAILY_FIELDS, "team_id")),
        "months": sorted(
            AllocationMonthlyUsage.objects.values_list("allocation_id", "month", "used_byte_days", "reported_days")
        ),
    }


@pytest.mark.parametrize("scope_limit", [1000, 0], ids=["its pools and teams", "every pool and team"])
def test_an_import_across_a_month_boundary_leaves_the_rollups_a_full_recomputation_gives(
    scope_limit, monkeypatch, settings
):
    """The import's refresh works the carried values out once, for the days and allocations both rollups read;
    what it leaves must be what recomputing every day and month from the samples gives."""
    settings.CAPACITY_STALENESS_DAYS = 7
    monkeypatch.setattr(usage_state, "_SCOPE_LIMIT", scope_limit)
    today = timezone.now().astimezone(datetime.UTC).date()
    boundary = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # last month's first day
    team = make_project().team
    scratch, work = make_pool(slug="scratch"), make_pool(slug="work")
    start = boundary - datetime.timedelta(days=30)
    imported = make_allocation(pool=scratch, quota_id="/scratch/a", project=make_project(team=team), start_date=start)
    # Starts after the file's first day, and reports once before its start: counted that day only.
    make_allocation(pool=scratch, quota_id="/scratch/b", start_date=boundary + datetime.timedelta(days=1))
    # Not in the file: its team's rows change with the file, its pool's do not.
    other = make_allocation(pool=work, project=make_project(team=team), start_date=start)
    # Ended within the file's days, and requested (never counted, but its values go to its monthly rows).
    ended = make_allocation(
        pool=work,
        quota_id="/work/c",
        start_date=start,
        status=Allocation.Status.EXPIRED,
        end_date=boundary + datetime.timedelta(days=2),
    )
    requested = make_allocation(pool=work, quota_id="/work/d", status=Allocation.Status.REQUESTED, start_date=start)
    history = [boundary - datetime.timedelta(days=n) for n in (12, 9, 8, 3)]
    UsageSample.objects.bulk_create(
        UsageSample(allocation=allocation, measured_at=at(day), used_bytes=(n + 1) * TB)
        for n, day in enumerate(history)
        for allocation in (imported, other, ended, requested)
    )
    refresh_every_usage_state()

    # Days from five before the boundary to two after: their values carry into both months, over the stored
    # history's.
    file_days = [boundary + datetime.timedelta(days=n) for n in (-5, -4, -1, 0, 2)]
    records = [
        {"resource": pool, "mountpoint": quota_id, "dt": at(day, 12).isoformat(), "logical_usage": used * TB}
        for n, day in enumerate(file_days)
        for pool, quota_id, used in (
            ("scratch", "/scratch/a", 20 + n),
            ("work", "/work/c", 30 - n),
            ("work", "/work/d", 40 + n),
        )
    ] + [
        {"resource": "scratch", "mountpoint": "/scratch/b", "dt": at(file_days[0], 12).isoformat(), "logical_usage": TB}
    ]
    content = json.dumps([{"user": "u", "pi": "p", "file_count": 1, **record} for record in records]).encode()
    outcome = import_usage_file(path_or_file=content, file_name="month-end.json", format="xdmod")
    assert not outcome.errors and outcome.added == len(records)

    after_import = _rollups()
    assert {month for _, month, _, _ in after_import["months"]} >= {
        (boundary - datetime.timedelta(days=1)).replace(day=1),
        boundary,
    }
    refresh_every_usage_state()
    assert _rollups() == after_import
