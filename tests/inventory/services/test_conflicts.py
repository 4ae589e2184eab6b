"""A write that loses a race (deadlock, serialization failure) is tried once more, then explained: never a 500.

PostgreSQL itself raises the failure: a trigger installed by the test raises SQLSTATE 40P01 ("deadlock
detected") on the first N updates of an allocation, counted by a sequence (sequences are not rolled back,
so the count survives the aborted transaction, as a real second attempt would see a fresh world).
Transactional tests: the retry only happens outside a transaction, as in a real request.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from inventory.models import Allocation
from inventory.services.conflicts import BUSY_MESSAGE
from tests.api.conftest import bearer
from tests.inventory.factories import TB, make_allocation, make_pool

# serialized_rollback: the flush after a transactional test would otherwise drop the data the migrations made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def lost_races():
    """Make the next *n* allocation updates fail with a real "deadlock detected" from PostgreSQL."""

    def install(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP SEQUENCE IF EXISTS test_lost_races; CREATE SEQUENCE test_lost_races")
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION test_lose_race() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('test_lost_races') <= {int(n)} THEN
                        RAISE EXCEPTION 'deadlock detected (injected by the test)' USING ERRCODE = 'deadlock_detected';
                    END IF;
                    RETURN NEW;
                END $$;
                DROP TRIGGER IF EXISTS test_lose_race ON inventory_allocation;
                CREATE TRIGGER test_lose_race BEFORE UPDATE ON inventory_allocation
                    FOR EACH ROW EXECUTE FUNCTION test_lose_race();
                """
            )

    yield install
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS test_lose_race ON inventory_allocation")
        cursor.execute("DROP FUNCTION IF EXISTS test_lose_race()")
        cursor.execute("DROP SEQUENCE IF EXISTS test_lost_races")


@pytest.fixture
def boss(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "unused-pass-phrase-1")
    client.force_login(user)
    return user


def _approve_in_admin(client, allocation):
    url = reverse("admin:inventory_allocation_changelist")
    response = client.post(url, {"action": "approve_selected", "_selected_action": [allocation.pk]}, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_admin_approval_that_loses_one_race_succeeds_on_the_second_try(client, boss, lost_races):
    requested = make_allocation(pool=make_pool(), quota=10 * TB, status="requested")
    lost_races(1)
    messages = _approve_in_admin(client, requested)
    assert any(m.startswith("Approved 1 allocation") for m in messages), messages
    requested.refresh_from_db()
    assert requested.status == "active" and requested.approved_by == boss


def test_admin_approval_that_loses_twice_says_so_and_saves_nothing(client, boss, lost_races):
    requested = make_allocation(pool=make_pool(), quota=10 * TB, status="requested")
    lost_races(2)
    messages = _approve_in_admin(client, requested)
    assert f"Not approved: {requested}: {BUSY_MESSAGE}" in messages, messages
    requested.refresh_from_db()
    assert requested.status == "requested" and requested.approved_by is None


def test_admin_change_form_retries_then_shows_the_message_on_the_form(client, boss, lost_races):
    allocation = make_allocation(pool=make_pool(), quota=10 * TB)
    url = reverse("admin:inventory_allocation_change", args=[allocation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(quota_bytes="12 TB", start_date=str(allocation.start_date), end_date="")
    lost_races(2)
    response = client.post(url, data)
    assert response.status_code == 200
    assert BUSY_MESSAGE in response.content.decode()
    assert Allocation.objects.get(pk=allocation.pk).quota_bytes == 10 * TB


def test_api_retries_once_then_answers_409(client, boss, lost_races):
    first = make_allocation(pool=make_pool(), quota=10 * TB, status="requested")
    second = make_allocation(pool=make_pool(), quota=10 * TB, status="requested")
    headers = bearer(boss)
    lost_races(1)
    response = client.post(f"/api/v1/allocations/{first.pk}/approve/", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "active"
    lost_races(2)
    response = client.post(f"/api/v1/allocations/{second.pk}/approve/", headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change" and response.json()["detail"] == BUSY_MESSAGE
    assert Allocation.objects.get(pk=second.pk).status == "requested"
