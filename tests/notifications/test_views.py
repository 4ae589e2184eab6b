"""/me/notifications/: each person chooses what they receive and whether as a daily digest."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from notifications.models import Delivery, Event, Preference
from notifications.registry import kind_choices
from tests.inventory.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/me/notifications/"


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_everything_is_received_by_default_and_choices_are_saved(client):
    user = make_user("nora")
    client.force_login(user)
    assert 'href="/me/notifications/"' in client.get("/").text  # every page links to it
    page = client.get(URL).content.decode()
    assert "nora@example.org" in page
    for kind, label in kind_choices():
        assert f'value="{kind}"' in page and escape(label) in page
    assert page.count("checked") == len(kind_choices()) + 1  # every kind, and "send me e-mail"

    response = client.post(URL, {"email_enabled": "on", "digest": "on", "kinds": ["allocation_usage"]})
    assert response.status_code == 302 and response["Location"] == URL
    preference = Preference.objects.get(user=user)
    assert preference.digest and preference.email_enabled
    assert set(preference.muted_kinds) == {kind for kind, _ in kind_choices()} - {"allocation_usage"}
    page = client.get(URL).content.decode()
    assert "Your notification preferences are saved." in page
    assert page.count("checked") == 3  # e-mail, digest, the one kind

    client.post(URL, {"kinds": ["pool_forecast", "not-a-kind"]})
    assert Preference.objects.get(user=user).muted_kinds  # refused as a whole: the form names the bad choice
    response = client.post(URL, {"kinds": ["not-a-kind"]})
    assert response.status_code == 200 and "not-a-kind is not one of the available choices" in response.text


def test_the_page_lists_what_was_sent_in_a_fixed_number_of_queries(client):
    user = make_user("nora")
    client.force_login(user)

    def deliveries(first, last):
        for i in range(first, last + 1):
            event = Event.objects.create(kind="allocation_usage", subject_id=i, level=1, title=f"event {i}")
            Delivery.objects.create(event=event, channel="email", recipient=user.email, user=user, status="sent")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    deliveries(1, 1)
    small = queries()
    deliveries(2, 40)
    assert queries() == small
    page = client.get(URL).text
    assert "event 40" in page and "event 21" in page and "event 20<" not in page  # the newest 20
