"""The admin and the dashboard show the same figures for the same pool, array and team (inventory.figures).

The estate mixes what used to make them disagree: an expired allocation with usage, one whose last report is
older than the staleness limit (not reporting), one that never reported, one with data reduction, and a pool
allowed 1.5 x its capacity (allocated % is allocated / allowed everywhere).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import Allocation, UsageSample
from inventory.services.usage_state import refresh_every_usage_state
from inventory.units import format_capacity
from tests.inventory.factories import make_allocation, make_array, make_pool, make_project

TB = 10**12
PB = 10**15


@pytest.fixture
def estate(db):
    now = timezone.now()
    array = make_array(raw=3 * PB, usable=2 * PB)
    pool = make_pool(array=array, capacity=1 * PB, max_oversubscription="1.50")
    other = make_pool(array=array, capacity=500 * TB)
    project = make_project()
    team = project.team
    fresh = make_allocation(pool=pool, project=project, quota=300 * TB)
    reduced = make_allocation(pool=other, project=project, quota=200 * TB)
    stale = make_allocation(pool=pool, project=make_project(team=team), quota=100 * TB)
    make_allocation(pool=pool, project=make_project(team=team), quota=50 * TB)  # never reported
    expired = make_allocation(
        pool=pool, project=make_project(team=team), quota=400 * TB, status=Allocation.Status.EXPIRED
    )
    samples = [
        (fresh, now - datetime.timedelta(hours=2), 120 * TB, None),
        (reduced, now - datetime.timedelta(days=1), 90 * TB, 60 * TB),
        (stale, now - datetime.timedelta(days=10), 80 * TB, None),
        (expired, now - datetime.timedelta(hours=1), 350 * TB, None),
    ]
    UsageSample.objects.bulk_create(
        UsageSample(allocation=a, measured_at=when, used_bytes=used, physical_used_bytes=physical)
        for a, when, used, physical in samples
    )
    refresh_every_usage_state()
    return {"array": array, "pool": pool, "other": other, "team": team}


def _admin_row(admin_client, model: str, pk: int):
    response = admin_client.get(reverse(f"admin:inventory_{model}_changelist"))
    assert response.status_code == 200
    (row,) = [row for row in response.context["cl"].result_list if row.pk == pk]
    return row, response.content.decode()


def test_pool_figures_agree(admin_client, estate):
    pool = estate["pool"]
    row, admin_html = _admin_row(admin_client, "storagepool", pool.pk)
    page = admin_client.get(reverse("dashboard:pool-detail", args=[pool.array.slug, pool.slug]))
    figures = page.context["figures"]
    expected = {
        "allocated_bytes": 450 * TB,  # active quotas: 300 + 100 + 50; the expired one's 400 TB is history
        "used_bytes": 120 * TB,  # only the current report; the stale 80 TB and the expired 350 TB are not
        "physical_used_bytes": 120 * TB,
        "free_bytes": 1 * PB - 120 * TB,
        "not_reporting_count": 2,  # the stale one and the one that never reported
    }
    for name, value in expected.items():
        assert row_value(row, name) == value, name
        assert figures[name] == value, name
    assert row.allowed_total == figures["allocatable_bytes"] == 1500 * TB
    assert row.allocated_percent == figures["allocated_percent"] == 30  # 450 of 1,500 TB allowed
    assert row.used_percent == figures["used_percent"] == 12  # 120 of 1,000 TB usable
    html = page.content.decode()
    assert "2 active allocations not reporting" in html
    assert format_capacity(120 * TB) in admin_html and format_capacity(120 * TB) in html


def test_array_figures_agree(admin_client, estate):
    array = estate["array"]
    row, _ = _admin_row(admin_client, "storagearray", array.pk)
    figures = admin_client.get(reverse("dashboard:array-detail", args=[array.slug])).context["figures"]
    assert row.allocated_bytes == figures["allocated_bytes"] == 650 * TB
    assert row.used_bytes == figures["used_bytes"] == 210 * TB
    assert row.physical_used_bytes == figures["physical_used_bytes"] == 180 * TB  # 120 + 60 physical
    assert row.free_bytes == figures["free_bytes"] == 2 * PB - 180 * TB
    assert row.not_reporting_count == figures["not_reporting_count"] == 2
    assert row.allowed_total == figures["allocatable_bytes"] == 2000 * TB  # 1.5 PB + 500 TB
    assert row.allocated_percent == figures["allocated_percent"]
    assert row.used_percent == figures["used_percent"] == 9  # 180 TB of 2 PB usable


def test_team_figures_agree(admin_client, estate):
    team = estate["team"]
    row, _ = _admin_row(admin_client, "team", team.pk)
    page = admin_client.get(reverse("dashboard:team-detail", args=[team.slug]))
    shown = page.context["team"]
    assert row.allocated_bytes == shown.allocated_bytes == 650 * TB
    assert row.used_bytes == shown.used_bytes == 210 * TB
    assert row.not_reporting_count == shown.not_reporting_count == 2
    assert "2 active allocations not reporting" in page.content.decode()


def row_value(row, name):
    return getattr(row, name)
