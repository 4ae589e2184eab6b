"""Requests: a submitted request reaches the allocation managers; the decision reaches the team and the requester."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inventory.models import Allocation, TeamMembership
from inventory.services.allocations import approve_allocation, create_allocation, deny_allocation
from notifications.models import Event
from notifications.passes import run_pass
from tests.inventory.factories import TB, make_pool, make_project, make_user
from tests.notifications.conftest import recipients, subjects

pytestmark = pytest.mark.django_db


def request(project, requester, pool):
    return create_allocation(project=project, pool=pool, quota_bytes=5 * TB, requested_by=requester)


def test_submitted_then_approved(inbox, allocation_manager):
    requester = make_user("rolf")
    project = make_project()
    TeamMembership.objects.create(team=project.team, user=requester)
    pool = make_pool(capacity=100 * TB)
    allocation = request(project, requester, pool)
    run_pass()
    run_pass()
    assert recipients(inbox) == ["magnus@example.org"]
    assert subjects(inbox) == [f"[Capacity] {project.code} asks for 5.00 TB on {pool.name}"]

    approve_allocation(allocation=allocation, approved_by=allocation_manager)
    run_pass()
    decided = Event.objects.get(kind="request_decided")
    assert decided.title == f"The request of {project.code} for 5.00 TB on {pool.name} was approved"
    pi = project.principal_investigator.email
    assert recipients(inbox) == sorted(["magnus@example.org", "rolf@example.org", pi])


def test_denied_reaches_the_requester_even_outside_the_team(inbox, allocation_manager):
    requester = make_user("sara")
    allocation = request(make_project(), requester, make_pool())
    deny_allocation(allocation=allocation, denied_by=allocation_manager)
    run_pass()
    assert not Event.objects.filter(kind="request_submitted").exists()  # decided before any pass saw it
    assert Event.objects.get(kind="request_decided").title.endswith("was denied")
    assert "sara@example.org" in recipients(inbox)


def test_an_allocation_created_active_by_an_admin_is_no_request(inbox, allocation_manager):
    create_allocation(
        project=make_project(), pool=make_pool(), quota_bytes=TB, status=Allocation.Status.ACTIVE,
        approved_by=allocation_manager,
    )  # fmt: skip
    run_pass()
    assert not Event.objects.filter(kind__startswith="request_").exists()


def test_decisions_count_from_when_they_were_made(inbox, allocation_manager, settings):
    settings.NOTIFICATIONS_REQUEST_LOOKBACK_DAYS = 30
    long_ago = timezone.now() - dt.timedelta(days=40)
    old_request = request(make_project(), make_user("olga"), make_pool())
    Allocation.objects.filter(pk=old_request.pk).update(created_at=long_ago)
    old_denial = request(make_project(), make_user("otto"), make_pool())
    deny_allocation(allocation=old_denial, denied_by=allocation_manager)
    Allocation.history.filter(id=old_denial.pk).update(history_date=long_ago)
    run_pass()
    assert not Event.objects.exists()  # submitted too long ago; denied too long ago

    approve_allocation(allocation=old_request, approved_by=allocation_manager)  # asked long ago, decided today
    run_pass()
    assert [e.subject_id for e in Event.objects.filter(kind="request_decided")] == [old_request.pk]
