"""Admin forms say what is wrong in words, on the field: never a constraint's name, never a nonsense figure."""

import pytest
from django.urls import reverse

from inventory.models import StorageArray, StoragePool
from tests.inventory.admin.conftest import errors_of, form_data
from tests.inventory.admin.test_storage import ARRAY_ADD, array_post, pool_change
from tests.inventory.factories import PB, TB, make_allocation, make_pool, make_site

pytestmark = pytest.mark.django_db


def _all_messages(response) -> str:
    return " ".join(message for messages in errors_of(response).values() for message in messages)


def test_usable_above_raw_says_so_in_words_on_the_field(admin_client):
    response = admin_client.post(ARRAY_ADD, array_post(make_site(), raw_bytes="1 PB", usable_bytes="2 PB"))
    errors = errors_of(response)
    assert errors["usable_bytes"] == ["The usable capacity cannot be more than the raw capacity."]
    html = response.content.decode()
    assert "Constraint" not in html and "array_usable_within_raw" not in html
    assert not StorageArray.objects.exists()


@pytest.mark.parametrize("value", ["-5", "0", "0.00", "11"])
def test_an_out_of_range_oversubscription_is_a_field_error_not_a_negative_allowance(admin_client, value):
    pool = make_pool(capacity=100 * TB)
    make_allocation(pool=pool, quota=50 * TB)
    page = admin_client.get(pool_change(pool))
    response = admin_client.post(pool_change(pool), form_data(page, max_oversubscription=value))
    errors = errors_of(response)
    assert list(errors) == ["max_oversubscription"], errors
    assert "allowed" not in _all_messages(response)
    assert "-500" not in response.content.decode()
    pool.refresh_from_db()
    assert pool.max_oversubscription == 1


def test_a_negative_oversubscription_on_an_array_pool_row_is_a_field_error(admin_client):
    pool = make_pool(capacity=1 * PB)
    make_allocation(pool=pool, quota=50 * TB)
    url = reverse("admin:inventory_storagearray_change", args=[pool.array.pk])
    page = admin_client.get(url)
    response = admin_client.post(url, form_data(page, **{"pools-0-max_oversubscription": "-5"}))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.forms[0].errors) == ["max_oversubscription"]
    assert "allowed" not in " ".join(formset.forms[0].errors["max_oversubscription"])
    assert StoragePool.objects.get(pk=pool.pk).max_oversubscription == 1
