"""Users in each role, inventory factories (plain ORM) and helpers to drive the real admin."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from inventory.models import Allocation, ResearchProject, Site, StorageArray, StoragePool, Team

TB = 10**12
PB = 10**15
TiB = 2**40

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def _staff(username: str, group: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw-staff-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def infra_admin(db):
    return _staff("ines", "Infrastructure admins")


@pytest.fixture
def manager(db):
    return _staff("manu", "Allocation managers")


@pytest.fixture
def admin_client(client, infra_admin):
    """A client logged in as an infrastructure admin (staff, group "Infrastructure admins")."""
    client.force_login(infra_admin)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def make_site(**fields) -> Site:
    n = _next()
    return Site.objects.create(**{"name": f"Site {n}", "slug": f"site-{n}", **fields})


def make_array(*, site: Site | None = None, raw_bytes: int = 12 * PB, usable_bytes: int = 10 * PB, **fields):
    n = _next()
    return StorageArray.objects.create(
        **{
            "site": site or make_site(),
            "name": f"array-{n}",
            "slug": f"array-{n}",
            "vendor": "Huawei",
            "model": "OceanStor A800",
            "serial_number": f"SN{n:06d}",
            "raw_bytes": raw_bytes,
            "usable_bytes": usable_bytes,
            **fields,
        }
    )


def make_pool(*, array: StorageArray | None = None, capacity_bytes: int = 1 * PB, **fields) -> StoragePool:
    n = _next()
    fields.setdefault("max_oversubscription", Decimal("1.00"))
    return StoragePool.objects.create(
        **{
            "array": array or make_array(),
            "name": f"pool-{n}",
            "slug": f"pool-{n}",
            "capacity_bytes": capacity_bytes,
            **fields,
        }
    )


def make_user(prefix: str = "user"):
    n = _next()
    # No password: hashing one per user would make the big fixtures slow, and they never log in.
    return get_user_model().objects.create_user(f"{prefix}{n}", f"{prefix}{n}@example.org")


def make_team(**fields) -> Team:
    n = _next()
    return Team.objects.create(**{"name": f"Team {n}", "slug": f"team-{n}", **fields})


def make_project(*, team: Team | None = None, **fields) -> ResearchProject:
    n = _next()
    return ResearchProject.objects.create(
        **{
            "code": f"NN{n:04d}K",
            "title": f"Project {n}",
            "team": team or make_team(),
            "principal_investigator": fields.pop("principal_investigator", None) or make_user("pi"),
            "start_date": datetime.date(2026, 1, 1),
            **fields,
        }
    )


def make_allocation(
    *, pool: StoragePool, project: ResearchProject | None = None, quota_bytes: int = 100 * TB, **fields
) -> Allocation:
    """An allocation; given usage is as if just reported (the figures count only current usage)."""
    if fields.get("used_bytes") is not None:
        fields.setdefault("usage_measured_at", timezone.now())
    return Allocation.objects.create(
        **{
            "project": project or make_project(),
            "pool": pool,
            "quota_bytes": quota_bytes,
            "status": Allocation.Status.ACTIVE,
            "start_date": datetime.date(2026, 1, 1),
            **fields,
        }
    )


def _as_post_value(value):
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return "" if value is None else str(value)


def form_data(response, **changes) -> dict:
    """The POST data a browser would send from an admin add/change page as rendered, plus `changes`.

    Values come from the page's bound forms (the main form and every inline formset
    with its management form); `changes` use the field names as posted
    (e.g. ``"allocations-0-quota_bytes"``).
    """
    data: dict = {}

    def add_form(form):
        for name in form.fields:
            value = _as_post_value(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response) -> dict:
    """Field name -> messages of the main admin form of a re-rendered page ("__all__" for the top)."""
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    form = response.context["adminform"].form
    return {name: list(messages) for name, messages in form.errors.items()}
