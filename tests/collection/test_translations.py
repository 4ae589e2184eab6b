"""The Collectors page in Norwegian bokmål (the browser's language), and its CSV sibling left alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.inventory.factories import make_user
from tests.locales import EN, NB, bokmal  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_collectors_page_in_bokmal(staff_client, bokmal):  # noqa: F811
    page = staff_client.get(reverse("collection:collectors"), **NB).content.decode()
    assert "<h1>Innsamlere</h1>" in page and "Ingen innsamler er satt opp ennå." in page
    english = staff_client.get(reverse("collection:collectors"), **EN).content.decode()
    assert "<h1>Collectors</h1>" in english and "No collector is configured yet." in english
