"""The admin site as a whole: titles, what is registered, every page opens, the usage history list."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from inventory import models
from inventory.models import Site, UnitPreference, UsageSample
from tests.inventory.admin.conftest import errors_of
from tests.inventory.factories import TB, make_allocation, make_pool, make_user

pytestmark = pytest.mark.django_db

REGISTERED = [
    models.Site,
    models.StorageArray,
    models.StoragePool,
    models.Team,
    models.ResearchProject,
    models.Allocation,
    models.UsageSample,
    models.UnitPreference,
]


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
        assert response.status_code == 200, view


def test_add_site_and_unit_preference(admin_client):
    response = admin_client.post(
        reverse("admin:inventory_site_add"), {"name": "Tromsø", "slug": "tromso", "city": "", "country": "NO"}
    )
    assert response.status_code == 302
    assert Site.objects.get().slug == "tromso"
    user = make_user("reader")
    response = admin_client.post(reverse("admin:inventory_unitpreference_add"), {"user": user.pk, "binary": "on"})
    assert response.status_code == 302
    assert UnitPreference.objects.get(user=user).binary is True


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


def test_add_usage_sample_in_units(admin_client):
    allocation = make_allocation(pool=make_pool())
    response = admin_client.post(reverse("admin:inventory_usagesample_add"), _sample_post(allocation))
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
    response = admin_client.post(reverse("admin:inventory_usagesample_add"), _sample_post(allocation, **overrides))
    assert text in " ".join(errors_of(response)[field])
    assert not UsageSample.objects.exists()


def test_second_sample_for_the_same_moment_is_refused_on_a_field(admin_client):
    allocation = make_allocation(pool=make_pool())
    url = reverse("admin:inventory_usagesample_add")
    assert admin_client.post(url, _sample_post(allocation)).status_code == 302
    response = admin_client.post(url, _sample_post(allocation, used_bytes="2 TB"))
    assert "measured_at" in errors_of(response)
    assert UsageSample.objects.count() == 1
