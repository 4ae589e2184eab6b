"""The inventory's admin in Norwegian bokmål: column titles, filters, actions, form errors (codes unchanged)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from inventory.models import Allocation, StoragePool
from inventory.services.allocations import create_allocation
from tests.inventory.admin.conftest import errors_of
from tests.inventory.factories import PB, TB, make_allocation, make_pool, make_project, make_user
from tests.locales import EN, NB, bokmal  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:inventory_allocation_changelist")
ADD = reverse("admin:inventory_allocation_add")


def test_allocation_list_has_norwegian_column_titles_filters_and_actions(admin_client, bokmal):  # noqa: F811
    make_allocation(pool=make_pool(), quota=10 * TB)
    page = admin_client.get(CHANGELIST, **NB)
    assert page.status_code == 200
    assert page["Content-Language"] == "nb"
    text = page.content.decode()
    # Column titles: computed ones (admin.display) and model fields' verbose names.
    for title in ("Kvote", "Brukt ÷ kvote", "Avvik", "Startdato", "Sluttdato", "Godkjent av", "Prosjekt"):
        assert f">{title}<" in text, title
    assert "kvoteavvik" in text  # the list filter's title
    assert "Godkjenn valgte forespurte tildelinger" in text  # the action
    assert "Tildelinger" in text  # the model's plural name
    assert "10.0 TB" in text  # units are SI symbols in every language
    assert ">Quota<" not in text and "Used ÷ quota" not in text


def test_the_same_list_stays_english_for_an_english_browser(admin_client, bokmal):  # noqa: F811
    make_allocation(pool=make_pool(), quota=10 * TB)
    text = admin_client.get(CHANGELIST, **EN).content.decode()
    assert ">Quota<" in text and ">Used ÷ quota<" in text and "Approve selected requested allocations" in text
    assert "Kvote" not in text


def test_over_allocation_is_refused_in_norwegian_on_the_field(admin_client, bokmal):  # noqa: F811
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=800 * TB)
    project = make_project()
    data = {
        "project": project.pk,
        "pool": pool.pk,
        "status": "active",
        "quota_bytes": "300 TB",
        "quota_id": "",
        "start_date": "2026-02-01",
        "end_date": "",
        "justification": "",
    }
    response = admin_client.post(ADD, data, **NB)
    message = " ".join(errors_of(response)["quota_bytes"])
    assert f"Poolen {pool} kan ikke ta imot denne tildelingen" in message
    assert "800 TB er allerede tildelt" in message and "Høyst 200 TB til kan tildeles." in message
    assert not Allocation.objects.filter(project=project).exists()


def ask_too_much(pool):
    create_allocation(
        project=make_project(),
        pool=pool,
        quota_bytes=300 * TB,
        status=Allocation.Status.ACTIVE,
        approved_by=make_user(),
    )


def test_a_service_refusal_keeps_its_code_in_norwegian():
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=800 * TB)
    with translation.override("nb"), pytest.raises(ValidationError) as refusal:
        ask_too_much(pool)
    assert refusal.value.args[1] == "pool_over_allocated"
    assert "kan ikke ta imot denne tildelingen" in refusal.value.message_dict["quota_bytes"][0]
    with pytest.raises(ValidationError) as english:
        ask_too_much(pool)
    assert english.value.args[1] == "pool_over_allocated"
    assert "cannot take this allocation" in english.value.message_dict["quota_bytes"][0]


def test_a_capacity_typed_wrongly_is_explained_in_norwegian(admin_client, bokmal):  # noqa: F811
    pool = make_pool(capacity=PB)
    response = admin_client.get(reverse("admin:inventory_storagepool_change", args=[pool.pk]), **NB)
    assert "Byte, eller et tall med enhet: 2 PB, 1.5 TiB, 750 GB." in response.content.decode()
    assert "Maksimal overbooking" in response.content.decode()
    with translation.override("nb"):
        form_field = StoragePool._meta.get_field("capacity_bytes").formfield()
        with pytest.raises(ValidationError) as refusal:
            form_field.clean("2 PX")
    assert refusal.value.code == "invalid"
    assert refusal.value.messages[0].startswith("Kan ikke lese «2 PX» som en kapasitet: ukjent enhet «PX».")
