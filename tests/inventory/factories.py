"""The one set of plain-ORM test builders (no factory library: the models are small).

Every test builds its data with these; names are unique per call, values are the models' own (bytes).
tests/dashboard/conftest.py's ``build_estate`` composes a whole consistent estate for the pages' tests.
"""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from inventory.models import Allocation, Institution, ResearchProject, Site, StorageArray, StoragePool, Team

TB = 10**12
PB = 10**15
TiB = 2**40
_counter = itertools.count(1)


def make_site(**fields) -> Site:
    n = next(_counter)
    return Site.objects.create(**{"name": f"Site {n}", "slug": f"site-{n}", **fields})


def make_array(*, raw=12 * PB, usable=10 * PB, **fields) -> StorageArray:
    n = next(_counter)
    site = fields.pop("site", None) or make_site()
    return StorageArray.objects.create(
        **{
            "site": site,
            "name": f"Array {n}",
            "slug": f"array-{n}",
            "vendor": "Huawei",
            "model": "OceanStor A800",
            "serial_number": f"SN{n:06d}",
            "raw_bytes": raw,
            "usable_bytes": usable,
            **fields,
        }
    )


def make_pool(*, capacity=PB, ratio="1.00", **fields) -> StoragePool:
    n = next(_counter)
    array = fields.pop("array", None) or make_array()
    return StoragePool.objects.create(
        **{
            "array": array,
            "name": f"pool {n}",
            "slug": f"pool-{n}",
            "capacity_bytes": capacity,
            "max_oversubscription": Decimal(ratio),
            **fields,
        }
    )


def make_user(username=None, *, password=None, **fields):
    """A user; without *password* it has none usable (hashing one per user would slow big fixtures)."""
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username, f"{username}@example.org", password, **fields)


def make_team(**fields) -> Team:
    n = next(_counter)
    return Team.objects.create(**{"name": f"Team {n}", "slug": f"team-{n}", **fields})


def make_institution(**fields) -> Institution:
    n = next(_counter)
    return Institution.objects.create(**{"name": f"University {n}", "slug": f"university-{n}", **fields})


def make_project(**fields) -> ResearchProject:
    n = next(_counter)
    team = fields.pop("team", None) or make_team()
    pi = fields.pop("principal_investigator", None) or make_user()
    return ResearchProject.objects.create(
        **{
            "code": f"NN{n:04d}K",
            "title": f"Project {n}",
            "team": team,
            "principal_investigator": pi,
            "start_date": datetime.date(2026, 1, 1),
            **fields,
        }
    )


def make_allocation(*, pool, quota=10 * TB, status=Allocation.Status.ACTIVE, **fields) -> Allocation:
    """An allocation; given usage is as if just reported (the figures count only current usage)."""
    if fields.get("used_bytes") is not None:
        fields.setdefault("usage_measured_at", timezone.now())
    project = fields.pop("project", None) or make_project()
    return Allocation.objects.create(
        **{
            "project": project,
            "pool": pool,
            "quota_bytes": quota,
            "status": status,
            "start_date": datetime.date(2026, 1, 1),
            **fields,
        }
    )


def record_daily_usage(allocation: Allocation, used_by_day, *, hour: int = 12) -> None:
    """One usage sample per (day, used bytes) of *used_by_day* for *allocation*, then the usage state and
    daily rollups worked out as after an import (inventory/services/usage_state.py)."""
    from inventory.models import UsageSample
    from inventory.services.usage_state import refresh_every_usage_state

    UsageSample.objects.bulk_create(
        UsageSample(
            allocation=allocation,
            measured_at=datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC),
            used_bytes=used,
            source="test",
        )
        for day, used in used_by_day
    )
    refresh_every_usage_state()


def make_filling_pool(*, per_day: int, last: int, days: int = 20, capacity: int = PB, **fields) -> StoragePool:
    """A pool whose one allocation grew *per_day* bytes a day over the last *days* days, to *last* today:
    its forecast is full in (capacity − last) ÷ per_day days."""
    pool = make_pool(capacity=capacity, **fields)
    allocation = make_allocation(pool=pool, quota=9 * capacity // 10)
    today = timezone.now().astimezone(datetime.UTC).date()
    record_daily_usage(
        allocation, [(today - datetime.timedelta(days=back), last - back * per_day) for back in range(days)]
    )
    return pool
