"""Usage history reads: a day's figure is each allocation's LAST sample that day, summed."""

import datetime

from django.db.models import Q

from dashboard.selectors.teams import team_rows
from dashboard.selectors.usage import daily_usage, latest_sample_day
from inventory.models import UsageSample
from inventory.services.rollups import refresh_daily_usage

TB = 10**12
DAY = datetime.date(2026, 11, 20)


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_daily_usage_takes_the_last_sample_of_each_day(estate_builder):
    estate = estate_builder(teams=1, projects_per_team=1, pools=2, sample_days=0, today=DAY)
    first, second = estate.allocations
    UsageSample.objects.bulk_create(
        [
            UsageSample(allocation=first, measured_at=at(DAY, 1), used_bytes=1 * TB),
            UsageSample(allocation=first, measured_at=at(DAY, 23), used_bytes=3 * TB),  # last of the day
            UsageSample(allocation=second, measured_at=at(DAY, 12), used_bytes=2 * TB),
            UsageSample(allocation=first, measured_at=at(DAY - datetime.timedelta(days=7), 5), used_bytes=TB),
        ]
    )
    refresh_daily_usage()
    series = daily_usage(Q(project__team=estate.teams[0]), end=DAY)
    assert series == [(DAY - datetime.timedelta(days=7), TB), (DAY, 5 * TB)]
    assert latest_sample_day() == DAY
    # The team list's growth uses the same rule: 5 TB now, 1 TB a week ago.
    team = team_rows(latest_day=DAY).get(pk=estate.teams[0].pk)
    assert team.used_latest_day == 5 * TB
    assert team.growth_7_bytes == 4 * TB
    assert team.growth_30_bytes is None  # no sample 30 days back: no made-up number


def test_daily_usage_window_and_filter(estate_builder):
    estate = estate_builder(teams=2, projects_per_team=1, pools=1, sample_days=100, today=DAY)
    series = daily_usage(Q(project__team=estate.teams[0]), days=90, end=DAY)
    assert len(series) == 90 and series[-1][0] == DAY and series[0][0] == DAY - datetime.timedelta(days=89)
    only_first_team = sum(a.used_bytes or 0 for a in estate.allocations if a.project.team_id == estate.teams[0].pk)
    assert series[-1][1] == only_first_team


def test_no_samples(db):
    assert latest_sample_day() is None
    assert daily_usage(Q()) == []
