"""The wide shape's builder (bench/wide.py) at a tiny size: its counts, the big team, and pages that stay paged."""

import pytest
import wide

from inventory.models import Allocation, PoolDailyUsage, StorageArray, StoragePool, Team, UsageSample

TINY = wide.Shape(
    arrays=12,
    pools=40,
    teams=5,
    projects=20,
    allocations=80,
    big_team_projects=4,
    big_team_allocations=25,
    big_team_members=33,
    requested=3,
    expired=4,
)


def test_pools_spread_evenly_over_arrays():
    assert wide.pools_per_array(160, 600) == [4] * 120 + [3] * 40
    assert sum(wide.pools_per_array(12, 40)) == 40


def test_the_big_team_holds_exactly_its_allocations():
    owners = wide.allocation_owners(projects=2_000, allocations=10_000, big=509, big_projects=120)
    assert len(owners) == 10_000
    assert sum(1 for owner in owners if owner < 120) == 509
    assert set(owners) == set(range(2_000))  # every project has an allocation


@pytest.mark.django_db
def test_tiny_wide_dataset(admin_client):
    counts = wide.load(days=3, shape=TINY)
    assert counts == {"pools": 40, "allocations": 80, "samples": 3 * (80 - 3)}
    assert StorageArray.objects.count() == 12 and StoragePool.objects.count() == 40
    big = Team.objects.get(slug=wide.BIG_TEAM)
    assert big.memberships.count() == 33
    mine = Allocation.objects.filter(project__team=big)
    # Each of the big team's allocations on a pool of its own: its per-pool table is as long as can be.
    assert mine.count() == 25 and mine.values("pool").distinct().count() == 25
    assert Allocation.objects.filter(status="requested").count() == 3
    assert UsageSample.objects.count() == 3 * 77 and PoolDailyUsage.objects.exists()
    # The pages that grew with pools, arrays and a team's size stay paged.
    storage = admin_client.get("/storage/").content.decode()
    assert "Page 1 of 2" in storage and "12 arrays" in storage
    team = admin_client.get(f"/teams/{wide.BIG_TEAM}/").content.decode()
    assert "The 20 pools where the team holds most, of 25." in team and "Members 1–30 of 33" in team
