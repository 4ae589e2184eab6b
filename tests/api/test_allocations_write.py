"""Changing allocations over HTTP: the services' rules, the admin's messages, the roles' permissions."""

from __future__ import annotations

import datetime

from api.models import ApiToken
from inventory.models import Allocation
from tests.api.conftest import bearer
from tests.inventory.factories import TB, make_allocation, make_pool, make_project


def _post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def _patch(client, url, data, headers):
    return client.patch(url, data, content_type="application/json", headers=headers)


def test_infrastructure_admin_creates_a_request_with_units(client, infra):
    pool, project = make_pool(capacity=100 * TB), make_project()
    response = _post(
        client,
        "/api/v1/allocations/",
        {"project": project.code, "pool": pool.slug, "quota_bytes": "20 TB", "quota_id": "/p/1"},
        bearer(infra),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and body["quota_bytes"] == 20 * TB and body["requested_by"] == "ingrid"
    assert Allocation.objects.get(pk=body["id"]).quota_id == "/p/1"


def test_over_allocation_is_409_with_the_admins_message(client, infra):
    pool = make_pool(capacity=100 * TB)
    make_allocation(pool=pool, quota=90 * TB)
    response = _post(
        client,
        "/api/v1/allocations/",
        {"project": make_project().code, "pool": pool.slug, "quota_bytes": 20 * TB, "status": "active"},
        bearer(infra),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "pool_over_allocated"
    assert "cannot take this allocation" in body["quota_bytes"][0]
    assert "At most 10.0 TB more can be allocated." in body["detail"]
    assert Allocation.objects.filter(pool=pool).count() == 1


def test_validation_errors_name_the_field(client, infra):
    pool, project = make_pool(), make_project()
    response = _post(
        client,
        "/api/v1/allocations/",
        {"project": "NOPE", "pool": pool.slug, "quota_bytes": "12 parsecs"},
        bearer(infra),
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"project", "quota_bytes"}
    response = _post(
        client,
        "/api/v1/allocations/",
        {
            "project": project.code,
            "pool": pool.slug,
            "quota_bytes": TB,
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
        },
        bearer(infra),
    )
    assert response.status_code == 400 and "end_date" in response.json()


def test_manager_changes_and_approves_but_cannot_create(client, manager):
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool=pool, quota=10 * TB, status=Allocation.Status.REQUESTED)
    headers = bearer(manager)
    denied = _post(
        client, "/api/v1/allocations/", {"project": make_project().code, "pool": pool.slug, "quota_bytes": 1}, headers
    )
    assert denied.status_code == 403
    changed = _patch(client, f"/api/v1/allocations/{allocation.pk}/", {"quota_bytes": "30 TB"}, headers)
    assert changed.status_code == 200 and changed.json()["quota_bytes"] == 30 * TB
    approved = _post(client, f"/api/v1/allocations/{allocation.pk}/approve/", {}, headers)
    assert approved.status_code == 200
    allocation.refresh_from_db()
    assert allocation.status == "active" and allocation.approved_by.username == "manny"
    again = _post(client, f"/api/v1/allocations/{allocation.pk}/approve/", {}, headers)
    assert again.status_code == 400 and "nothing to approve" in again.json()["non_field_errors"][0]


def test_approval_that_does_not_fit_is_409(client, manager):
    pool = make_pool(capacity=100 * TB)
    make_allocation(pool=pool, quota=95 * TB)
    allocation = make_allocation(pool=pool, quota=10 * TB, status=Allocation.Status.REQUESTED)
    response = _post(client, f"/api/v1/allocations/{allocation.pk}/approve/", {}, bearer(manager))
    assert response.status_code == 409 and response.json()["code"] == "pool_over_allocated"
    allocation.refresh_from_db()
    assert allocation.status == "requested"


def test_deny_a_request(client, manager):
    allocation = make_allocation(pool=make_pool(), status=Allocation.Status.REQUESTED)
    response = _post(client, f"/api/v1/allocations/{allocation.pk}/deny/", {}, bearer(manager))
    assert response.status_code == 200 and response.json()["status"] == "denied"
    again = _post(client, f"/api/v1/allocations/{allocation.pk}/deny/", {}, bearer(manager))
    assert again.status_code == 400 and "status" in again.json()


def test_researchers_and_read_only_tokens_cannot_write(client, reader, manager):
    allocation = make_allocation(pool=make_pool(), status=Allocation.Status.REQUESTED)
    for headers in (bearer(reader), bearer(manager, ApiToken.Scope.READ)):
        assert _patch(client, f"/api/v1/allocations/{allocation.pk}/", {"quota_bytes": 1}, headers).status_code == 403
        assert _post(client, f"/api/v1/allocations/{allocation.pk}/approve/", {}, headers).status_code == 403
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 10 * TB and allocation.status == "requested"


def test_making_active_by_a_change_needs_the_approve_permission(client, roles):
    from django.contrib.auth.models import Permission

    from tests.api.conftest import _member

    editor = _member("edd", None)
    editor.user_permissions.add(Permission.objects.get(codename="change_allocation"))
    allocation = make_allocation(pool=make_pool(), status=Allocation.Status.REQUESTED)
    response = _patch(client, f"/api/v1/allocations/{allocation.pk}/", {"status": "active"}, bearer(editor))
    assert response.status_code == 400
    assert response.json()["status"] == ["Only users allowed to approve allocations can make one active."]


def test_session_writes_need_the_csrf_token(client, manager):
    from django.test import Client

    allocation = make_allocation(pool=make_pool(), status=Allocation.Status.REQUESTED)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    response = strict.post(f"/api/v1/allocations/{allocation.pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_end_date_must_follow_start_on_change(client, manager):
    allocation = make_allocation(pool=make_pool(), start_date=datetime.date(2026, 1, 1))
    response = _patch(client, f"/api/v1/allocations/{allocation.pk}/", {"end_date": "2025-12-31"}, bearer(manager))
    assert response.status_code == 400 and "end_date" in response.json()


def test_creating_an_active_allocation_is_an_approval(client, infra):
    pool, project = make_pool(capacity=100 * TB), make_project()
    response = _post(
        client,
        "/api/v1/allocations/",
        {"project": project.code, "pool": pool.slug, "quota_bytes": "5 TB", "status": "active"},
        bearer(infra),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["approved_by"] == "ingrid" and body["approved_at"]
    allocation = Allocation.objects.get(pk=body["id"])
    assert allocation.history.first().history_user == infra
