"""Collectors through the real admin, as an infrastructure admin: the password is never stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collection.models import Collector
from tests.inventory.factories import make_array

pytestmark = pytest.mark.django_db
ADD = reverse("admin:collection_collector_add")


def collector_post(array, **overrides):
    data = {
        "array": array.pk,
        "kind": "oceanstor",
        "base_url": "https://array1.example.org:8088",
        "enabled": "on",
        "interval": "00:15:00",
        "username": "monitor",
        "scope": "0",
        "password_env": "ARRAY1_PASSWORD",
        "password_file": "",
        "verify_tls": "on",
        "ca_bundle": "",
        "vstore_ids": "",
    }
    data.update(overrides)
    return data


def test_infrastructure_admin_adds_a_collector(admin_client):
    array = make_array()
    response = admin_client.post(ADD, collector_post(array))
    assert response.status_code == 302, response.context["adminform"].form.errors
    collector = Collector.objects.get()
    assert (collector.password_env, collector.verify_tls, collector.interval.total_seconds()) == (
        "ARRAY1_PASSWORD",
        True,
        900,
    )
    assert "password" not in {field.name for field in Collector._meta.fields}


def test_a_password_source_is_required(admin_client):
    response = admin_client.post(ADD, collector_post(make_array(), password_env=""))
    assert response.status_code == 200
    assert "the password is never stored" in str(response.context["adminform"].form.errors["password_env"])
    assert not Collector.objects.exists()


def test_an_interval_below_a_minute_is_refused(admin_client):
    response = admin_client.post(ADD, collector_post(make_array(), interval="00:00:30"))
    assert response.status_code == 200
    assert "interval" in response.context["adminform"].form.errors
