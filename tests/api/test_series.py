"""Daily usage series: pools and teams from the rollups, an allocation's last sample per day; ranges, cursors."""

from __future__ import annotations

import datetime

from inventory.models import PoolDailyUsage, TeamDailyUsage, UsageSample
from inventory.services.rollups import refresh_daily_usage
from tests.api.conftest import bearer


def test_pool_series_is_the_rollup_within_the_range(client, reader, estate):
    pool = estate.pools[0]
    start = estate.today - datetime.timedelta(days=9)
    response = client.get(
        f"/api/v1/pools/{pool.slug}/usage/",
        {"start": start.isoformat(), "end": estate.today.isoformat()},
        headers=bearer(reader),
    )
    assert response.status_code == 200
    points = response.json()["results"]
    expected = PoolDailyUsage.objects.filter(pool=pool, day__gte=start).order_by("day")
    assert [(p["day"], p["used_bytes"]) for p in points] == [(r.day.isoformat(), r.used_bytes) for r in expected]
    assert len(points) == 10


def test_team_series_pages_by_cursor(client, reader, estate):
    team = estate.teams[0]
    headers = bearer(reader)
    first = client.get(f"/api/v1/teams/{team.slug}/usage/", {"page_size": 20}, headers=headers).json()
    second = client.get(first["next"], headers=headers).json()
    days = [p["day"] for p in first["results"] + second["results"]]
    expected = list(TeamDailyUsage.objects.filter(team=team).order_by("day").values_list("day", flat=True))
    assert days == [d.isoformat() for d in expected] and len(days) == 35
    assert second["next"] is None


def test_allocation_series_takes_the_last_sample_of_each_day(client, reader, estate):
    allocation = next(a for a in estate.allocations if a.used_bytes)
    latest = UsageSample.objects.filter(allocation=allocation).order_by("-measured_at").first()
    later = latest.measured_at + datetime.timedelta(hours=3)
    UsageSample.objects.create(allocation=allocation, measured_at=later, used_bytes=latest.used_bytes + 5)
    refresh_daily_usage()
    body = client.get(
        f"/api/v1/allocations/{allocation.pk}/usage/", {"start": estate.today.isoformat()}, headers=bearer(reader)
    ).json()
    assert [(p["day"], p["used_bytes"]) for p in body["results"]] == [(later.date().isoformat(), latest.used_bytes + 5)]
    everything = client.get(f"/api/v1/allocations/{allocation.pk}/usage/", headers=bearer(reader)).json()
    assert len(everything["results"]) == 35


def test_a_bad_range_names_the_field(client, reader, estate):
    pool = estate.pools[0]
    response = client.get(f"/api/v1/pools/{pool.slug}/usage/", {"start": "2026-13-01"}, headers=bearer(reader))
    assert response.status_code == 400 and "start" in response.json()
    response = client.get(
        f"/api/v1/pools/{pool.slug}/usage/", {"start": "2026-02-01", "end": "2026-01-01"}, headers=bearer(reader)
    )
    assert response.status_code == 400 and "end" in response.json()
