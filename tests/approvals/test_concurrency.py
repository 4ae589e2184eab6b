"""Managers approving requests on one pool at the same moment, over HTTP: no 5xx, the pool's limit holds."""

from __future__ import annotations

import threading

import pytest
from django.db.models import Sum

from approvals.models import AllocationRequest
from approvals.services import request_allocation
from inventory.models import Allocation, TeamMembership
from tests.inventory.admin.test_concurrency import AdminSession
from tests.inventory.factories import TB, make_pool, make_project, make_user

REQUESTS = 6


# serialized_rollback: the flush after a transactional test would otherwise drop the data the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_never_500_and_keep_the_limit(live_server):
    pool = make_pool(capacity=100 * TB, open_for_requests=True)
    requester = make_user("rena")
    made = []
    for _ in range(REQUESTS):
        project = make_project(principal_investigator=requester)
        TeamMembership.objects.create(team=project.team, user=requester)
        made.append(
            request_allocation(
                project=project,
                pool=pool,
                quota_bytes=20 * TB,
                end_date=None,
                justification="x",
                requested_by=requester,
            )
        )
    sessions = [AdminSession(live_server.url, f"boss{n}") for n in range(REQUESTS)]
    statuses: list[int] = []
    start = threading.Barrier(REQUESTS)

    def approve(session: AdminSession, allocation_request: AllocationRequest) -> None:
        start.wait()
        statuses.append(session.post_form("/requests/", {"one": f"approve:{allocation_request.pk}"}))

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(sessions, made, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * REQUESTS
    allocated = Allocation.objects.filter(pool=pool, status="active").aggregate(total=Sum("quota_bytes"))["total"]
    assert allocated == 100 * TB  # five of six fit exactly
    assert AllocationRequest.objects.filter(status="approved").count() == 5
    assert AllocationRequest.objects.filter(status="pending").count() == 1
