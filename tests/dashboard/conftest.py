"""Plain-ORM data builders for the dashboard pages (shared with the overview and storage tests).

``build_estate(teams=N)`` makes one site and array, a few pools, N teams with projects,
one active allocation per project and pool, the latest usage on each allocation and
daily usage samples, so that query-count tests can run the same page at two sizes.
Usage cycles through the threshold states: ok (50 %), warning (85 %), critical (95 %),
over quota (110 %) and no usage reported.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import (
    Allocation,
    Institution,
    ResearchProject,
    Site,
    StorageArray,
    StoragePool,
    Team,
    TeamMembership,
    UsageSample,
)
from inventory.services.usage_state import refresh_every_usage_state
from tests.inventory.factories import make_user

__all__ = ["Estate", "build_estate", "make_user"]

TB = 10**12
PB = 10**15
#: used ÷ quota for successive allocations (None: nothing reported yet).
USAGE_CYCLE = (Decimal("0.50"), Decimal("0.85"), Decimal("0.95"), Decimal("1.10"), None)

_batch = itertools.count(1)


@dataclass
class Estate:
    site: Site
    array: StorageArray
    pools: list[StoragePool]
    teams: list[Team]
    projects: list[ResearchProject]
    allocations: list[Allocation]
    pis: list = field(default_factory=list)
    today: datetime.date | None = None


def build_estate(
    *,
    teams: int = 3,
    projects_per_team: int = 2,
    pools: int = 2,
    quota: int = 10 * TB,
    sample_days: int = 35,
    today: datetime.date | None = None,
    members=(),
    rollups: bool = False,
) -> Estate:
    """Build a consistent estate; *members* (users) join the first team. Names are unique per call.

    *rollups*: also compute the daily rollups, as an import would (team growth, forecasts).
    """
    n = next(_batch)
    today = today or timezone.now().date()
    site = Site.objects.create(name=f"Site {n}", slug=f"site-{n}", city="Oslo")
    institution = Institution.objects.create(name=f"University {n}", slug=f"university-{n}", short_name=f"U{n}")
    # Big enough for every allocation: the database refuses to over-allocate a pool.
    pool_capacity = max(PB, teams * projects_per_team * quota)
    array = StorageArray.objects.create(
        site=site,
        name=f"Array {n}",
        slug=f"array-{n}",
        vendor="Huawei",
        model="OceanStor A800",
        serial_number=f"SN-{n:05d}-SECRET",
        raw_bytes=2 * pools * pool_capacity,
        usable_bytes=pools * pool_capacity,
        management_url=f"https://array-{n}.mgmt.example.org/",
        notes="Staff-only array note",
    )
    pool_list = [
        StoragePool.objects.create(
            array=array, name=f"pool {n}-{p}", slug=f"pool-{n}-{p}", capacity_bytes=pool_capacity
        )
        for p in range(1, pools + 1)
    ]
    team_list, project_list, pis, allocations = [], [], [], []
    cycle = itertools.cycle(USAGE_CYCLE)
    measured_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(6, 0)), datetime.UTC)
    for t in range(1, teams + 1):
        team = Team.objects.create(name=f"Team {n}-{t:03d}", slug=f"team-{n}-{t:03d}", institution=institution)
        team_list.append(team)
        for p in range(1, projects_per_team + 1):
            pi = make_user(f"pi-{n}-{t}-{p}", first_name="Pia", last_name=f"Investigator{t}{p}")
            pis.append(pi)
            TeamMembership.objects.create(team=team, user=pi, role=TeamMembership.Role.MANAGER)
            project = ResearchProject.objects.create(
                code=f"NN{n:02d}{t:03d}{p}K",
                title=f"Project {t}.{p} of batch {n}",
                team=team,
                principal_investigator=pi,
                field_of_science="Machine learning",
                start_date=datetime.date(2026, 1, 1),
            )
            project_list.append(project)
            for pool in pool_list:
                fraction = next(cycle)
                used = None if fraction is None else int(quota * fraction)
                allocations.append(
                    Allocation(
                        project=project,
                        pool=pool,
                        quota_bytes=quota,
                        status=Allocation.Status.ACTIVE,
                        start_date=datetime.date(2026, 1, 1),
                        quota_id=f"/{pool.slug}/{project.code}",
                        requested_by=pi,
                        justification=f"Secret justification for {project.code}",
                        used_bytes=used,
                        usage_measured_at=None if used is None else measured_at,
                    )
                )
    # One by one: the capacity trigger checks each active allocation against its pool.
    for allocation in allocations:
        allocation.save()
    samples = []
    for allocation in allocations:
        if allocation.used_bytes is None:
            continue
        for back in range(sample_days):
            # Linear growth up to today's figure: 1 % of the final value per day back.
            used = max(0, allocation.used_bytes - allocation.used_bytes * back // 100)
            samples.append(
                UsageSample(
                    allocation=allocation,
                    measured_at=measured_at - datetime.timedelta(days=back),
                    used_bytes=used,
                    source="test",
                )
            )
    UsageSample.objects.bulk_create(samples)
    # As after an import: the usage-state service works out latest usage and the daily rollups.
    refresh_every_usage_state()
    for user in members:
        TeamMembership.objects.create(team=team_list[0], user=user)
    return Estate(site, array, pool_list, team_list, project_list, allocations, pis, today)


@pytest.fixture
def estate_builder(db):
    """The builder itself, for tests that need their own sizes."""
    return build_estate


@pytest.fixture
def estate(researcher):
    """A small estate; the researcher ("rita") is a member of its first team."""
    return build_estate(members=[researcher])


@pytest.fixture
def staff_user(db):
    return make_user("stella", is_staff=True, first_name="Stella", last_name="Staff")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
