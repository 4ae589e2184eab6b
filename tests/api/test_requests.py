"""Requests over HTTP: researchers ask and follow, allocation managers approve or deny (approvals.services)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from approvals.models import AllocationRequest
from inventory.models import Allocation
from tests.api.conftest import bearer
from tests.inventory.factories import TB, make_allocation, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


def _post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", headers=headers)


@pytest.fixture
def pi(roles):
    return make_user("pia")


@pytest.fixture
def project(pi):
    return make_project(principal_investigator=pi)


def test_a_principal_investigator_asks_for_a_new_allocation_and_a_manager_approves_it(client, pi, project, manager):
    pool = make_pool(capacity=100 * TB, open_for_requests=True)
    asked = _post(
        client,
        "/api/v1/requests/",
        {"kind": "new", "project": project.code, "pool": pool.slug, "quota_bytes": "20 TB", "justification": "LLM"},
        bearer(pi),
    )
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert (body["kind"], body["status"], body["quota_bytes"], body["requested_by"]) == (
        "new",
        "pending",
        20 * TB,
        "pia",
    )
    assert Allocation.objects.get(pk=body["allocation"]).status == Allocation.Status.REQUESTED

    queue = client.get("/api/v1/requests/?status=pending", headers=bearer(manager)).json()
    assert [row["id"] for row in queue["results"]] == [body["id"]]
    decided = _post(client, f"/api/v1/requests/{body['id']}/approve/", {"reason": "Fits."}, bearer(manager))
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("approved", "manny")
    assert Allocation.objects.get(pk=body["allocation"]).status == Allocation.Status.ACTIVE


def test_a_change_that_does_not_fit_is_409_with_the_numbers_and_changes_nothing(client, pi, project, manager):
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool=pool, project=project, quota=50 * TB)
    make_allocation(pool=pool, quota=40 * TB)
    asked = _post(
        client,
        "/api/v1/requests/",
        {"kind": "change", "allocation": allocation.pk, "quota_bytes": 70 * TB, "justification": "More data."},
        bearer(pi),
    )
    assert asked.status_code == 201, asked.content
    assert (asked.json()["previous_quota_bytes"], asked.json()["quota_bytes"]) == (50 * TB, 70 * TB)
    refused = _post(client, f"/api/v1/requests/{asked.json()['id']}/approve/", {}, bearer(manager))
    assert refused.status_code == 409
    assert refused.json()["code"] == "pool_over_allocated"
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 50 * TB
    assert AllocationRequest.objects.get(pk=asked.json()["id"]).status == AllocationRequest.Status.PENDING


def test_who_may_ask_and_decide(client, pi, project, manager, reader):
    pool = make_pool(open_for_requests=True)
    new = {"kind": "new", "project": project.code, "pool": pool.slug, "quota_bytes": TB, "justification": "x"}
    # Someone outside the project may not ask for it; a read-only token never writes.
    assert _post(client, "/api/v1/requests/", new, bearer(reader)).status_code == 403
    assert _post(client, "/api/v1/requests/", new, bearer(pi, scope=ApiToken.Scope.READ)).status_code == 403
    created = _post(client, "/api/v1/requests/", new, bearer(pi)).json()
    # The requester may not decide; an outsider does not even see the request.
    assert _post(client, f"/api/v1/requests/{created['id']}/approve/", {}, bearer(pi)).status_code == 403
    assert client.get(f"/api/v1/requests/{created['id']}/", headers=bearer(reader)).status_code == 404
    assert client.get("/api/v1/requests/", headers=bearer(reader)).json()["count"] == 0
    assert client.get("/api/v1/requests/", headers=bearer(pi)).json()["count"] == 1


def test_errors_name_the_field(client, pi, project, manager):
    pool = make_pool(open_for_requests=True)
    missing = _post(client, "/api/v1/requests/", {"kind": "new", "project": project.code}, bearer(pi))
    assert missing.status_code == 400
    assert set(missing.json()) == {"pool", "quota_bytes"}
    blank = {"kind": "new", "project": project.code, "pool": pool.slug, "quota_bytes": "1 TB", "justification": " "}
    assert _post(client, "/api/v1/requests/", blank, bearer(pi)).json() == {
        "justification": ["Say what the storage is for."]
    }
    created = _post(client, "/api/v1/requests/", {**blank, "justification": "Data."}, bearer(pi)).json()
    denied = _post(client, f"/api/v1/requests/{created['id']}/deny/", {"reason": ""}, bearer(manager))
    assert denied.status_code == 400
    assert list(denied.json()) == ["reason"]
    denied = _post(client, f"/api/v1/requests/{created['id']}/deny/", {"reason": "No room."}, bearer(manager))
    assert (denied.json()["status"], denied.json()["decision_reason"]) == ("denied", "No room.")


def test_the_list_runs_a_fixed_number_of_queries(client, manager):
    headers = bearer(manager)
    counts = []
    for size in (1, 12):
        for _ in range(size):
            owner = make_user()
            allocation = make_allocation(pool=make_pool(), project=make_project(principal_investigator=owner))
            AllocationRequest.objects.create(
                kind="change", allocation=allocation, quota_bytes=2 * TB, justification="x", requested_by=owner
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/requests/", headers=headers)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert response.json()["count"] == 13
