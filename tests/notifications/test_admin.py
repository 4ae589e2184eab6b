"""Infrastructure admins configure webhooks per team or pool in the admin, and retry failed deliveries."""

from __future__ import annotations

import pytest

from notifications.models import Delivery, Event, Webhook
from tests.inventory.factories import make_pool, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, infra_admin):
    infra_admin.is_staff = True
    infra_admin.save()
    client.force_login(infra_admin)
    return client


def form(**fields):
    return {"name": "storage channel", "flavour": "mattermost", "url": "https://chat.example.org/hooks/x",
            "secret": "", "enabled": "on", **fields}  # fmt: skip


def test_an_infrastructure_admin_adds_a_webhook_for_a_team(admin_client):
    team = make_project().team
    assert admin_client.get("/admin/notifications/webhook/add/").status_code == 200
    response = admin_client.post("/admin/notifications/webhook/add/", form(team=team.pk))
    assert response.status_code == 302
    assert Webhook.objects.get().team == team


def test_a_webhook_for_both_a_team_and_a_pool_is_refused_with_a_sentence(admin_client):
    team, pool = make_project().team, make_pool()
    response = admin_client.post("/admin/notifications/webhook/add/", form(team=team.pk, pool=pool.pk))
    assert response.status_code == 200
    assert "A webhook belongs to either a team or a pool (exactly one of them)." in response.text
    response = admin_client.post(
        "/admin/notifications/webhook/add/", form(url="ftp://chat.example.org/x", pool=pool.pk)
    )
    assert response.status_code == 200 and "Enter a valid URL." in response.text
    assert not Webhook.objects.exists()


def test_failed_deliveries_are_listed_and_retried_from_the_admin(admin_client):
    event = Event.objects.create(kind="pool_threshold", subject_id=1, level=1, title="Pool p passed its warning")
    failed = Delivery.objects.create(
        event=event, channel="webhook", recipient="https://x", status="failed", attempts=5, last_error="boom 500"
    )
    listing = admin_client.get("/admin/notifications/delivery/?status=failed")
    assert listing.status_code == 200 and "Pool p passed its warning" in listing.text
    assert "boom 500" in admin_client.get(f"/admin/notifications/event/{event.pk}/change/").text
    response = admin_client.post("/admin/notifications/delivery/", {"action": "retry", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)


def test_researchers_have_no_access(client, researcher):
    researcher.is_staff = True
    researcher.save()
    client.force_login(researcher)
    assert client.get("/admin/notifications/webhook/").status_code == 403
