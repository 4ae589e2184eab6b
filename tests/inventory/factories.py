"""Plain-ORM builders for inventory tests (no factory library: the models are small)."""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from inventory.models import Allocation, Institution, ResearchProject, Site, StorageArray, StoragePool, Team

TB = 10**12
PB = 10**15
_counter = itertools.count(1)


def make_site(**fields) -> Site:
    n = next(_counter)
    return Site.objects.create(**{"name": f"Site {n}", "slug": f"site-{n}", **fields})


def make_array(*, raw=2 * PB, usable=int(1.6 * PB), **fields) -> StorageArray:
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


def make_pool(*, capacity=100 * TB, ratio="1.00", **fields) -> StoragePool:
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


def make_user(username=None, **fields):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username, f"{username}@example.org", "pw-12345-long", **fields)


def make_institution(**fields) -> Institution:
    n = next(_counter)
    return Institution.objects.create(**{"name": f"University {n}", "slug": f"university-{n}", **fields})


def make_team(**fields) -> Team:
    n = next(_counter)
    return Team.objects.create(**{"name": f"Team {n}", "slug": f"team-{n}", **fields})


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
