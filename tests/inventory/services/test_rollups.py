"""The daily rollups equal the sums of the samples they summarise."""

import datetime

import pytest

from inventory.models import PoolDailyUsage, TeamDailyUsage, UsageSample
from inventory.services.rollups import refresh_daily_usage
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
