"""Fixtures for requests: a pool open for requests, a project with its investigator and a member, a manager."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from inventory.models import ResearchProject, StoragePool, TeamMembership
from inventory.roles import ALLOCATION_MANAGERS, ensure_roles
from tests.inventory.factories import TB, make_pool, make_project, make_user


@dataclass
class Setting:
    pool: StoragePool
    project: ResearchProject
    pi: object
    member: object
    outsider: object
    manager: object


def make_manager(username="maren"):
    ensure_roles()
    user = make_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=ALLOCATION_MANAGERS))
    return user


@pytest.fixture
def setting(db):
    pool = make_pool(capacity=100 * TB, open_for_requests=True)
    project = make_project()
    member = make_user("mia")
    TeamMembership.objects.create(team=project.team, user=member)
    return Setting(
        pool=pool,
        project=project,
        pi=project.principal_investigator,
        member=member,
        outsider=make_user("otto"),
        manager=make_manager(),
    )
