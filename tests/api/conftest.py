"""Users in each role, their tokens, and an estate of data for the API tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from api.models import ApiToken
from api.tokens import create_token
from inventory.roles import ALLOCATION_MANAGERS, INFRASTRUCTURE_ADMINS, ensure_roles
from tests.dashboard.conftest import build_estate, make_user


@pytest.fixture
def roles(db):
    ensure_roles()


def _member(username: str, group: str | None, **fields):
    user = make_user(username, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def manager(roles):
    return _member("manny", ALLOCATION_MANAGERS, is_staff=True)


@pytest.fixture
def infra(roles):
    return _member("ingrid", INFRASTRUCTURE_ADMINS, is_staff=True)


@pytest.fixture
def reader(roles):
    return _member("rolf", None)


def bearer(user, scope=ApiToken.Scope.READ_WRITE, days=30) -> dict:
    """Headers for a request signed with a new token of *user*."""
    _, raw = create_token(user=user, name="test", scope=scope, expires_in_days=days)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def estate(db):
    return build_estate(teams=3, rollups=True)
