"""The admin site as a whole: titles, what is registered, every page opens, the usage history list."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from inventory import models
from inventory.models import Site, UsageSample
from inventory.services.usage import save_usage_sample
from tests.inventory.admin.conftest import errors_of
from tests.inventory.factories import TB, make_allocation, make_pool

pytestmark = pytest.mark.django_db

REGISTERED = [
    models.Site,
    models.StorageArray,
    models.StoragePool,
    models.Team,
    models.ResearchProject,
    models.Allocation,
    models.UsageSample,
]
#: Registered for corrections but without an "add" page: usage comes from reports.
NO_ADD = {models.UsageSample}


def test_titles_and_view_site_link(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Capacity administration" in html
    assert "<title>Inventory | Capacity</title>" in html
    assert '<a href="/">View site</a>' in html


def test_every_model_is_registered_and_no_historical_model():
    registered = set(admin.site._registry)
    assert set(REGISTERED) <= registered
    assert not [model for model in registered if model.__name__.startswith("Historical")]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model.__name__)
def test_every_list_and_add_page_opens_for_an_infrastructure_admin(admin_client, model):
    opts = model._meta
    make_allocation(pool=make_pool())
    for view in ("changelist", "add"):
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
        assert response.status_code == (403 if view == "add" and model in NO_ADD else 200), view


def test_add_site(admin_client):
    response = admin_client.post(
        reverse("admin:inventory_site_add"), {"name": "Tromsø", "slug": "tromso", "city": "", "country": "NO"}
    )
    assert response.status_code == 302
    assert Site.objects.get().slug == "tromso"


def test_the_index_has_neither_unit_preferences_nor_usage_samples(admin_client):
    """Each user sets their units with the header's toggle; usage comes from reports, not from typing."""
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Usage samples" not in html and "usagesample" not in html
    assert "Unit preference" not in html and "unitpreference" not in html
    assert models.UnitPreference not in admin.site._registry
    # The samples stay reachable for corrections, without an "add" button.
    html = admin_client.get(reverse("admin:inventory_usagesample_changelist")).content.decode()
    assert "usagesample/add/" not in html


def test_researcher_cannot_open_the_admin(researcher_client):
    response = researcher_client.get(reverse("admin:inventory_storagearray_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("rows", [5, 60])
def test_usage_sample_changelist_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries, rows):
    start = timezone.make_aware(datetime.datetime(2026, 3, 1))
    samples = []
    for i in range(rows):
        allocation = make_allocation(pool=make_pool(), quota=10 * TB)
        samples.append(
            UsageSample(allocation=allocation, measured_at=start + datetime.timedelta(hours=i), used_bytes=i * TB)
        )
    UsageSample.objects.bulk_create(samples)
    url = reverse("admin:inventory_usagesample_changelist")
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == rows
    assert len(response.context["cl"].result_list) == min(rows, 50)  # 50 a page
    html = response.content.decode()
    assert f"{rows - 1}.0 TB" in html or f"{rows - 1}.00 TB" in html  # the largest (newest) sample, in units
    # No COUNT(*) of the whole history on a filtered page.
    assert response.context["cl"].show_full_result_count is False


def _sample_post(allocation, **overrides):
    return {
        "allocation": allocation.pk,
        "measured_at_0": "2026-03-01",
        "measured_at_1": "12:00:00",
        "used_bytes": "1.5 TB",
        "source": "manual",
        **overrides,
    }


def _reported(allocation, day: int = 1, used: int = TB) -> UsageSample:
    """A sample as a report stores it: samples are only corrected in the admin, never typed in."""
    moment = datetime.datetime(2026, 3, day, 12, tzinfo=datetime.UTC)
    return save_usage_sample(sample=UsageSample(allocation=allocation, measured_at=moment, used_bytes=used))


def _change_url(sample) -> str:
    return reverse("admin:inventory_usagesample_change", args=[sample.pk])


def test_correct_a_usage_sample_in_units(admin_client):
    allocation = make_allocation(pool=make_pool())
    sample = _reported(allocation)
    response = admin_client.post(_change_url(sample), _sample_post(allocation))
    assert response.status_code == 302, errors_of(response)
    assert UsageSample.objects.get().used_bytes == 1_500_000_000_000


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"soft_limit_bytes": "2 TB", "hard_limit_bytes": "1 TB"}, "soft_limit_bytes", "soft limit must not be above"),
        ({"used_bytes": "-1 TB"}, "used_bytes", "cannot be negative"),
    ],
)
def test_usage_sample_rules_are_shown_on_their_field(admin_client, overrides, field, text):
    allocation = make_allocation(pool=make_pool())
    sample = _reported(allocation)
    response = admin_client.post(_change_url(sample), _sample_post(allocation, **overrides))
    assert text in " ".join(errors_of(response)[field])
    assert UsageSample.objects.get().used_bytes == TB


def test_moving_a_sample_onto_another_ones_moment_is_refused_on_a_field(admin_client):
    allocation = make_allocation(pool=make_pool())
    _reported(allocation, day=1)
    second = _reported(allocation, day=2)
    response = admin_client.post(_change_url(second), _sample_post(allocation, used_bytes="2 TB"))
    assert "measured_at" in errors_of(response)
    assert UsageSample.objects.count() == 2
