"""Reads for requests: the hook for notifications (request_events)."""

from django.utils import timezone

from approvals.selectors import request_events
from approvals.services import approve_request, request_allocation
from tests.inventory.factories import TB


def test_request_events_lists_submissions_and_decisions_since_a_moment(setting):
    before = timezone.now()
    made = request_allocation(
        project=setting.project,
        pool=setting.pool,
        quota_bytes=TB,
        end_date=None,
        justification="x",
        requested_by=setting.pi,
    )
    assert [e["event"] for e in request_events(before)] == ["submitted"]
    middle = timezone.now()
    approve_request(allocation_request=made, decided_by=setting.manager)
    assert [(e["event"], e["request"].pk) for e in request_events(middle)] == [("approved", made.pk)]
    assert [e["event"] for e in request_events(before)] == ["submitted", "approved"]
