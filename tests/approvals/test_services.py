"""The request services: who may ask, what may be asked, and decisions with the admin's capacity rules."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from approvals.models import AllocationRequest
from approvals.services import approve_request, deny_request, request_allocation, request_change
from inventory.models import Allocation
from tests.inventory.factories import TB, make_allocation, make_pool

LATER = timezone.localdate() + datetime.timedelta(days=365)


def ask(setting, user, *, quota=10 * TB, pool=None, end_date=LATER):
    return request_allocation(
        project=setting.project,
        pool=pool or setting.pool,
        quota_bytes=quota,
        end_date=end_date,
        justification="Training data",
        requested_by=user,
    )


def test_a_member_asks_for_a_new_allocation(setting):
    made = ask(setting, setting.member)
    allocation = made.allocation
    assert (made.kind, made.status, made.quota_bytes) == ("new", "pending", 10 * TB)
    assert allocation.status == Allocation.Status.REQUESTED and allocation.requested_by == setting.member
    assert allocation.justification == "Training data" and allocation.end_date == LATER


def test_an_outsider_may_not_ask(setting):
    with pytest.raises(PermissionDenied):
        ask(setting, setting.outsider)
    assert not Allocation.objects.exists()


@override_settings(CAPACITY_REQUESTERS="pi")
def test_with_requesters_pi_only_the_investigator_asks(setting):
    with pytest.raises(PermissionDenied):
        ask(setting, setting.member)
    assert ask(setting, setting.pi).status == "pending"


def test_a_pool_closed_to_requests_is_refused_by_name(setting):
    closed = make_pool()
    with pytest.raises(ValidationError) as error:
        ask(setting, setting.pi, pool=closed)
    assert "does not take requests" in error.value.message_dict["pool"][0]


def test_a_second_request_on_the_same_pool_is_refused(setting):
    ask(setting, setting.pi)
    with pytest.raises(ValidationError) as error:
        ask(setting, setting.member)
    assert "already has a pending request" in error.value.message_dict["pool"][0]


def test_approving_activates_and_records_who_and_when(setting):
    made = ask(setting, setting.pi)
    approve_request(allocation_request=made, decided_by=setting.manager, reason="Fine")
    made.refresh_from_db()
    allocation = made.allocation
    allocation.refresh_from_db()
    assert (made.status, made.decided_by, made.decision_reason) == ("approved", setting.manager, "Fine")
    assert made.decided_at is not None
    assert allocation.status == "active" and allocation.approved_by == setting.manager
    assert made.history.first().history_user == setting.manager


def test_denying_needs_a_reason_and_denies_the_allocation(setting):
    made = ask(setting, setting.pi)
    with pytest.raises(ValidationError):
        deny_request(allocation_request=made, decided_by=setting.manager, reason=" ")
    deny_request(allocation_request=made, decided_by=setting.manager, reason="Use scratch")
    made.refresh_from_db()
    assert made.status == "denied" and made.allocation.status == "denied"
    assert made.decision_reason == "Use scratch"


def test_a_researcher_cannot_decide(setting):
    made = ask(setting, setting.pi)
    with pytest.raises(PermissionDenied):
        approve_request(allocation_request=made, decided_by=setting.pi)
    made.refresh_from_db()
    assert made.status == "pending"


def test_approval_over_capacity_is_refused_and_writes_nothing(setting):
    make_allocation(pool=setting.pool, quota=95 * TB)
    made = ask(setting, setting.pi, quota=10 * TB)
    with pytest.raises(ValidationError) as error:
        approve_request(allocation_request=made, decided_by=setting.manager)
    assert "cannot take this allocation" in " ".join(error.value.messages)
    made.refresh_from_db()
    assert made.status == "pending" and made.allocation.status == "requested"


def test_a_larger_quota_and_later_end_change_the_allocation_only_when_approved(setting):
    allocation = make_allocation(pool=setting.pool, project=setting.project, quota=10 * TB, end_date=LATER)
    later = LATER + datetime.timedelta(days=90)
    made = request_change(
        allocation=allocation, quota_bytes=20 * TB, end_date=later, justification="More", requested_by=setting.member
    )
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 10 * TB and made.previous_quota_bytes == 10 * TB
    approve_request(allocation_request=made, decided_by=setting.manager)
    allocation.refresh_from_db()
    assert (allocation.quota_bytes, allocation.end_date) == (20 * TB, later)
    assert allocation.history.first().history_user == setting.manager


@pytest.mark.parametrize(
    ("quota", "end", "field"),
    [(5 * TB, None, "quota_bytes"), (None, LATER - datetime.timedelta(days=1), "end_date")],
)
def test_a_change_must_grow_or_extend(setting, quota, end, field):
    allocation = make_allocation(pool=setting.pool, project=setting.project, quota=10 * TB, end_date=LATER)
    with pytest.raises(ValidationError) as error:
        request_change(
            allocation=allocation, quota_bytes=quota, end_date=end, justification="x", requested_by=setting.pi
        )
    assert field in error.value.message_dict
    assert not AllocationRequest.objects.exists()


def test_one_pending_change_per_allocation(setting):
    allocation = make_allocation(pool=setting.pool, project=setting.project, quota=10 * TB)
    request_change(allocation=allocation, quota_bytes=20 * TB, justification="x", requested_by=setting.pi)
    with pytest.raises(ValidationError, match="already has a pending request"):
        request_change(allocation=allocation, quota_bytes=30 * TB, justification="y", requested_by=setting.member)


def test_a_change_over_capacity_is_refused(setting):
    allocation = make_allocation(pool=setting.pool, project=setting.project, quota=50 * TB)
    make_allocation(pool=setting.pool, quota=40 * TB)
    made = request_change(allocation=allocation, quota_bytes=70 * TB, justification="x", requested_by=setting.pi)
    with pytest.raises(ValidationError, match="cannot take this allocation"):
        approve_request(allocation_request=made, decided_by=setting.manager)
    allocation.refresh_from_db()
    made.refresh_from_db()
    assert allocation.quota_bytes == 50 * TB and made.status == "pending"
