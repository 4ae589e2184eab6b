"""A day's figure: every counted allocation's latest known value, carried forward up to the staleness limit.

Storage systems report on their own schedules: a day on which only some allocations report must not look
like a fall in usage (inventory/daily_usage.py, docs/domain.md).
"""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.teams import team_rows
from dashboard.selectors.usage import latest_sample_day, project_daily_usage, team_daily_usage
from inventory.models import TeamDailyUsage, UsageSample
from inventory.services.usage_state import refresh_every_usage_state

TB = 10**12


def at(day, hour=6):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_last_sample_of_the_day_and_carry_forward(estate_builder):
    today = timezone.now().astimezone(datetime.UTC).date()
    estate = estate_builder(teams=1, projects_per_team=1, pools=2, sample_days=0, today=today)
    first, second = estate.allocations[:2]
    day = today - datetime.timedelta(days=3)
    UsageSample.objects.bulk_create(
        [
            UsageSample(allocation=first, measured_at=at(day, 1), used_bytes=1 * TB),
            UsageSample(allocation=first, measured_at=at(day, 23), used_bytes=3 * TB),  # last of the day
            UsageSample(allocation=second, measured_at=at(day, 12), used_bytes=2 * TB),
            UsageSample(allocation=first, measured_at=at(today, 1), used_bytes=4 * TB),  # only first reports
        ]
    )
    refresh_every_usage_state()
    team = estate.teams[0]
    series = dict(team_daily_usage(team.pk, end=today))
    assert series[day] == 5 * TB
    # The days after: second's 2 TB carries forward, it does not vanish.
    assert series[day + datetime.timedelta(days=1)] == 5 * TB
    assert series[today] == 6 * TB
    assert dict(project_daily_usage(estate.projects[0].pk, end=today))[today] == 6 * TB
    assert latest_sample_day() == today
    row = team_rows(latest_day=today).get(pk=team.pk)
    assert row.used_bytes == row.used_latest_day == 6 * TB  # the Used card and the chart's last point agree


def test_past_the_staleness_limit_an_allocation_is_counted_as_not_reporting(estate_builder):
    today = timezone.now().astimezone(datetime.UTC).date()
    estate = estate_builder(teams=1, projects_per_team=1, pools=2, sample_days=0, today=today)
    first, second = estate.allocations[:2]
    old = today - datetime.timedelta(days=10)
    UsageSample.objects.bulk_create(
        [
            UsageSample(allocation=first, measured_at=at(today, 1), used_bytes=4 * TB),
            UsageSample(allocation=second, measured_at=at(old), used_bytes=2 * TB),
        ]
    )
    refresh_every_usage_state()
    rollup = TeamDailyUsage.objects.get(team=estate.teams[0], day=today)
    assert (rollup.used_bytes, rollup.allocations, rollup.not_reporting) == (4 * TB, 1, 1)
    carried = TeamDailyUsage.objects.get(team=estate.teams[0], day=old + datetime.timedelta(days=6))
    assert (carried.used_bytes, carried.not_reporting) == (2 * TB, 1)  # 6 days on: still carried
    gone = TeamDailyUsage.objects.get(team=estate.teams[0], day=old + datetime.timedelta(days=7))
    assert (gone.used_bytes, gone.not_reporting) == (0, 2)


@pytest.mark.django_db
def test_a_partial_import_keeps_team_growth_and_chart_whole(client, estate_builder, tmp_path, researcher):
    """Import usage for one allocation of four: the others' values carry forward (item 1 of issue 9)."""
    today = timezone.now().astimezone(datetime.UTC).date()
    estate = estate_builder(
        teams=1,
        projects_per_team=2,
        pools=2,
        sample_days=10,
        today=today - datetime.timedelta(days=1),
        members=[researcher],
    )
    team = estate.teams[0]
    before = team_rows(latest_day=today - datetime.timedelta(days=1)).get(pk=team.pk)
    reporting = next(a for a in estate.allocations if a.used_bytes is not None)
    report = [
        {
            "resource": reporting.pool.slug,
            "mountpoint": reporting.quota_id,
            "user": "pi",
            "pi": "pi",
            "dt": at(today, 0).isoformat().replace("+00:00", "Z"),
            "file_count": 10,
            "logical_usage": reporting.used_bytes + TB,
        }
    ]
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(report))
    call_command("import_usage", str(path), format="xdmod")
    row = team_rows(latest_day=today).get(pk=team.pk)
    assert row.used_latest_day == before.used_bytes + TB  # not a fall of everything that did not report
    assert row.growth_7_bytes is not None and row.growth_7_bytes > 0
    client.force_login(researcher)
    page = client.get(reverse("dashboard:team-detail", args=[team.slug]))
    assert page.status_code == 200
    last_point = team_daily_usage(team.pk, end=today)[-1]
    assert last_point == (today, row.used_bytes)


def test_no_samples(db):
    assert latest_sample_day() is None


@pytest.mark.parametrize("by", ["project", "pool"])
def test_split_parts_add_up_to_the_total_every_day(estate_builder, by):
    from dashboard.selectors.usage import split_daily_usage

    today = timezone.now().astimezone(datetime.UTC).date()
    estate = estate_builder(teams=2, projects_per_team=3, pools=2, sample_days=12, today=today)
    team = estate.teams[0]
    total = team_daily_usage(team.pk, days=30, end=today)
    parts = split_daily_usage([day for day, _ in total], by=by, team_id=team.pk)
    assert len(parts) == (3 if by == "project" else 2)
    for day, used in total:
        assert sum(dict(values).get(day, 0) for _, values in parts) == used
    project = estate.projects[0]
    project_total = project_daily_usage(project.pk, days=None, end=today, first=today - datetime.timedelta(days=20))
    by_pool = split_daily_usage([day for day, _ in project_total], by="pool", project_id=project.pk)
    for day, used in project_total:
        assert sum(dict(values).get(day, 0) for _, values in by_pool) == used
