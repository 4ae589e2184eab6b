"""The estate builder other dashboard tests rely on makes what it promises."""

from inventory.models import Allocation, UsageSample
from inventory.thresholds import threshold_state


def test_build_estate_makes_every_threshold_state(estate_builder):
    estate = estate_builder(teams=3, projects_per_team=2, pools=2)
    assert len(estate.teams) == 3 and len(estate.projects) == 6
    assert Allocation.objects.filter(pool__array=estate.array).count() == 12
    states = {threshold_state(a.used_bytes, a.quota_bytes) for a in estate.allocations}
    assert states == {"ok", "warning", "critical", "over", "none"}
    assert UsageSample.objects.filter(allocation__pool__array=estate.array).count() > 0
    # A second batch in the same test does not collide.
    assert len(estate_builder(teams=1).teams) == 1
