"""Change requests (approvals/events.py): the managers hear of a requested change, the team of its decision."""

from __future__ import annotations

import datetime as dt

import pytest

from approvals.services import approve_request, deny_request, request_change
from notifications.models import Event
from notifications.passes import run_pass
from tests.notifications.conftest import recipients, subjects

pytestmark = pytest.mark.django_db


def ask(allocation, **change):
    return request_change(
        allocation=allocation,
        justification="The training corpus doubled.",
        requested_by=allocation.project.principal_investigator,
        **change,
    )


def test_a_larger_quota_is_announced_to_the_managers_once_then_the_approval_to_the_team(
    inbox, allocation_manager, team_allocation
):
    code, pool = team_allocation.project.code, team_allocation.pool.name
    change = ask(team_allocation, quota_bytes=20 * 10**12)
    run_pass()
    run_pass()  # fires once per request
    assert recipients(inbox) == ["magnus@example.org"]
    assert subjects(inbox) == [f"[Capacity] {code} asks for a change on {pool}: quota from 10.0 TB to 20.0 TB"]

    approve_request(allocation_request=change, decided_by=allocation_manager)
    inbox.messages.clear()
    run_pass()
    decided = Event.objects.get(kind="change_request_decided")
    assert decided.title == f"The change of {code} on {pool} was approved: quota from 10.0 TB to 20.0 TB"
    assert recipients(inbox) == ["max@example.org", "mona@example.org", "pia@example.org"]


def test_a_denied_later_end_date_tells_the_reason(inbox, allocation_manager, team_allocation):
    team_allocation.end_date = dt.date(2027, 6, 30)
    team_allocation.save(update_fields=["end_date"])
    change = ask(team_allocation, end_date=dt.date(2028, 6, 30))
    deny_request(allocation_request=change, decided_by=allocation_manager, reason="The pool is being retired.")
    run_pass()
    assert not Event.objects.filter(kind="change_request_submitted").exists()  # decided before any pass saw it
    decided = Event.objects.get(kind="change_request_decided")
    assert decided.title.endswith("was denied: end date from 2027-06-30 to 2028-06-30")
    assert "Reason: The pool is being retired." in decided.body
    assert "pia@example.org" in recipients(inbox)


def test_people_can_mute_change_requests(client, team_allocation):
    pi = team_allocation.project.principal_investigator
    client.force_login(pi)
    html = client.get("/me/notifications/").content.decode()
    assert "A change to an allocation is requested" in html
    assert "A requested change is approved or denied" in html
