"""Sites, arrays and pools through the real admin, as an infrastructure admin."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Allocation, StorageArray, StoragePool
from tests.inventory.admin.conftest import errors_of, form_data
from tests.inventory.factories import PB, TB, TiB, make_allocation, make_array, make_pool, make_project, make_site

pytestmark = pytest.mark.django_db

ARRAY_ADD = reverse("admin:inventory_storagearray_add")
POOL_ADD = reverse("admin:inventory_storagepool_add")


def array_change(array):
    return reverse("admin:inventory_storagearray_change", args=[array.pk])


def pool_change(pool):
    return reverse("admin:inventory_storagepool_change", args=[pool.pk])


def array_post(site, **overrides):
    data = {
        "site": site.pk,
        "name": "dorado-1",
        "slug": "dorado-1",
        "vendor": "Huawei",
        "model": "OceanStor Dorado 18000",
        "serial_number": "2102355ABC",
        "media_type": "nvme",
        "lifecycle_status": "active",
        "raw_bytes": "2.4 PB",
        "usable_bytes": "2 PB",
        "pools-TOTAL_FORMS": "0",
        "pools-INITIAL_FORMS": "0",
        "pools-MIN_NUM_FORMS": "0",
        "pools-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def pool_post(array, **overrides):
    data = {
        "array": array.pk,
        "name": "fast",
        "slug": "fast",
        "tier": "performance",
        "capacity_bytes": "1.5 TiB",
        "max_oversubscription": "1.00",
        "warning_threshold": "80",
        "critical_threshold": "90",
        "allocations-TOTAL_FORMS": "0",
        "allocations-INITIAL_FORMS": "0",
        "allocations-MIN_NUM_FORMS": "0",
        "allocations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_add_array_in_human_units_stores_exact_bytes(admin_client):
    site = make_site()
    response = admin_client.post(ARRAY_ADD, array_post(site))
    assert response.status_code == 302, errors_of(response)
    array = StorageArray.objects.get(slug="dorado-1")
    assert array.raw_bytes == 2_400_000_000_000_000
    assert array.usable_bytes == 2 * PB


def test_add_array_with_pools_inline(admin_client):
    site = make_site()
    data = array_post(
        site,
        **{
            "pools-TOTAL_FORMS": "2",
            "pools-0-name": "fast",
            "pools-0-slug": "fast",
            "pools-0-tier": "performance",
            "pools-0-capacity_bytes": "1 PB",
            "pools-0-max_oversubscription": "1.20",
            "pools-0-warning_threshold": "80",
            "pools-0-critical_threshold": "90",
            "pools-1-name": "bulk",
            "pools-1-slug": "bulk",
            "pools-1-tier": "capacity",
            "pools-1-capacity_bytes": "1.5 TiB",
            "pools-1-max_oversubscription": "1.00",
            "pools-1-warning_threshold": "80",
            "pools-1-critical_threshold": "90",
        },
    )
    response = admin_client.post(ARRAY_ADD, data)
    assert response.status_code == 302, errors_of(response)
    array = StorageArray.objects.get(slug="dorado-1")
    assert dict(array.pools.values_list("slug", "capacity_bytes")) == {"fast": PB, "bulk": 3 * TiB // 2}


def test_pools_inline_together_must_fit_the_array(admin_client):
    site = make_site()
    rows = {}
    for i in range(2):
        rows.update(
            {
                f"pools-{i}-name": f"p{i}",
                f"pools-{i}-slug": f"p{i}",
                f"pools-{i}-tier": "performance",
                f"pools-{i}-capacity_bytes": "1.5 PB",
                f"pools-{i}-max_oversubscription": "1.00",
                f"pools-{i}-warning_threshold": "80",
                f"pools-{i}-critical_threshold": "90",
            }
        )
    response = admin_client.post(ARRAY_ADD, array_post(site, **{"pools-TOTAL_FORMS": "2", **rows}))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    messages = " ".join(formset.forms[0].errors["capacity_bytes"])
    assert "3.00 PB" in messages and "2.00 PB usable" in messages
    assert not StorageArray.objects.exists()


def test_change_array_shows_summary_in_human_units(admin_client):
    array = make_array(raw=12 * PB, usable=10 * PB)
    pool = make_pool(array=array, capacity=4 * PB)
    make_allocation(pool=pool, quota=1 * PB, used_bytes=250 * TB)
    response = admin_client.get(array_change(array))
    html = response.content.decode()
    # Allocated ÷ allowed: 1 PB of the pool's 4 PB allowed (docs/domain.md), as on the dashboard.
    for text in ("12.0 PB", "10.0 PB", "4.00 PB", "6.00 PB", "1.00 PB", "250 TB", "9.75 PB", "25.0 %", "0.10 : 1"):
        assert text in html, text


def test_change_array_usable_typed_in_units(admin_client):
    array = make_array()
    page = admin_client.get(array_change(array))
    response = admin_client.post(array_change(array), form_data(page, usable_bytes="9.5 PB"))
    assert response.status_code == 302, errors_of(response)
    array.refresh_from_db()
    assert array.usable_bytes == 9_500 * TB


def test_usable_above_raw_is_refused_on_the_field(admin_client):
    site = make_site()
    response = admin_client.post(ARRAY_ADD, array_post(site, raw_bytes="1 PB", usable_bytes="2 PB"))
    assert "usable_bytes" in errors_of(response)
    assert not StorageArray.objects.exists()


def test_negative_capacity_is_refused_on_the_field(admin_client):
    site = make_site()
    response = admin_client.post(ARRAY_ADD, array_post(site, raw_bytes="-1 PB"))
    assert "cannot be negative" in " ".join(errors_of(response)["raw_bytes"])
    assert not StorageArray.objects.exists()


def test_shrinking_array_below_its_pools_is_refused(admin_client):
    array = make_array(raw=12 * PB, usable=10 * PB)
    make_pool(array=array, capacity=8 * PB)
    page = admin_client.get(array_change(array))
    response = admin_client.post(array_change(array), form_data(page, usable_bytes="7 PB"))
    message = " ".join(errors_of(response)["usable_bytes"])
    assert "8.00 PB" in message and "7.00 PB" in message
    array.refresh_from_db()
    assert array.usable_bytes == 10 * PB


def test_add_pool_in_binary_units(admin_client):
    array = make_array()
    response = admin_client.post(POOL_ADD, pool_post(array))
    assert response.status_code == 302, errors_of(response)
    pool = StoragePool.objects.get(slug="fast")
    assert pool.capacity_bytes == 1_649_267_441_664
    assert pool.max_oversubscription == Decimal("1.00")


def test_pool_too_big_for_its_array_is_refused_with_numbers(admin_client):
    array = make_array(raw=3 * PB, usable=2 * PB)
    make_pool(array=array, capacity=1500 * TB)
    response = admin_client.post(POOL_ADD, pool_post(array, capacity_bytes="1 PB"))
    message = " ".join(errors_of(response)["capacity_bytes"])
    assert "1.50 PB" in message and "1.00 PB" in message and "2.00 PB" in message
    assert StoragePool.objects.count() == 1


def test_pool_thresholds_out_of_order_are_refused_on_a_field(admin_client):
    array = make_array()
    response = admin_client.post(POOL_ADD, pool_post(array, warning_threshold="95", critical_threshold="90"))
    assert "warning threshold must be below" in " ".join(errors_of(response)["warning_threshold"])
    assert not StoragePool.objects.exists()


def test_duplicate_pool_name_on_an_array_is_refused_on_a_field(admin_client):
    array = make_array()
    make_pool(array=array, name="fast", slug="other")
    response = admin_client.post(POOL_ADD, pool_post(array))
    assert "name" in errors_of(response)


def test_change_pool_capacity_and_see_summary(admin_client):
    pool = make_pool(capacity=1 * PB, max_oversubscription=Decimal("1.20"))
    make_allocation(pool=pool, quota=600 * TB, used_bytes=300 * TB, physical_used_bytes=200 * TB)
    page = admin_client.get(pool_change(pool))
    html = page.content.decode()
    for text in ("1.20 PB", "600 TB", "50.0 %", "300 TB", "200 TB", "800 TB", "1.50 : 1", "0.60 : 1"):
        assert text in html, text
    response = admin_client.post(pool_change(pool), form_data(page, capacity_bytes="2 PB"))
    assert response.status_code == 302, errors_of(response)
    pool.refresh_from_db()
    assert pool.capacity_bytes == 2 * PB


def test_a_pool_is_opened_for_requests_in_the_admin(admin_client):
    pool = make_pool()
    assert not pool.open_for_requests  # closed unless an admin opens it
    page = admin_client.get(pool_change(pool))
    response = admin_client.post(pool_change(pool), form_data(page, open_for_requests="on"))
    assert response.status_code == 302, errors_of(response)
    pool.refresh_from_db()
    assert pool.open_for_requests
    assert pool.history.first().open_for_requests


def test_pool_data_reduction_counts_only_allocations_reporting_physical_usage(admin_client):
    pool = make_pool(capacity=1 * PB)
    make_allocation(pool=pool, quota=100 * TB, used_bytes=200 * TB, physical_used_bytes=100 * TB)
    make_allocation(pool=pool, quota=100 * TB, used_bytes=50 * TB)
    html = admin_client.get(pool_change(pool)).content.decode()
    assert "2.00 : 1" in html  # 200 TB logical on 100 TB physical; the unreported 50 TB is left out
    assert "150 TB" in html  # physical used, counting the unreported allocation at its logical size
    assert "850 TB" in html  # free


def test_shrinking_pool_below_its_allocations_is_refused(admin_client):
    pool = make_pool(capacity=1 * PB)
    make_allocation(pool=pool, quota=800 * TB)
    page = admin_client.get(pool_change(pool))
    response = admin_client.post(pool_change(pool), form_data(page, capacity_bytes="500 TB"))
    assert "800 TB" in " ".join(errors_of(response)["capacity_bytes"])
    pool.refresh_from_db()
    assert pool.capacity_bytes == PB


def _changelist_rows(count):
    """`count` arrays, each with one pool holding one allocation: `count` rows in either list."""
    for _ in range(count):
        pool = make_pool(array=make_array(), capacity=1 * PB)
        make_allocation(pool=pool, quota=100 * TB, used_bytes=10 * TB)


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize(
    "url", [reverse("admin:inventory_storagepool_changelist"), reverse("admin:inventory_storagearray_changelist")]
)
def test_changelists_run_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries, rows, url):
    _changelist_rows(rows)
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


def test_pool_changelist_sorts_by_utilisation(admin_client):
    array = make_array()
    low = make_pool(array=array, capacity=1 * PB)
    high = make_pool(array=array, capacity=1 * PB)
    make_allocation(pool=low, quota=100 * TB)
    make_allocation(pool=high, quota=900 * TB)
    url = reverse("admin:inventory_storagepool_changelist")
    # Column 5 is "allocated ÷ capacity" (list_display is 1-based in the "o" parameter).
    response = admin_client.get(url, {"o": "-6"})
    pools = list(response.context["cl"].result_list)
    assert pools[0] == high and pools[-1] == low
    assert "90.0 %" in response.content.decode()


def test_array_history_shows_changed_field(admin_client):
    array = make_array(usable=10 * PB)
    page = admin_client.get(array_change(array))
    admin_client.post(array_change(array), form_data(page, usable_bytes="9 PB", firmware_version="V700R001C10"))
    history = admin_client.get(reverse("admin:inventory_storagearray_history", args=[array.pk]))
    html = history.content.decode()
    assert re.search(r"Usable capacity:</strong>\s*10.0 PB\s*&nbsp;&rarr;&nbsp;&nbsp;9.00 PB", html)
    assert "V700R001C10" in html and "ines" in html


def test_array_and_pool_lists_sum_each_pool_and_allocation_once(admin_client):
    """Figures come from one join of pools and allocations: no pool counted once per allocation."""
    array = make_array(raw=12 * PB, usable=10 * PB)
    big = make_pool(array=array, capacity=3 * PB)
    small = make_pool(array=array, capacity=1 * PB)
    make_pool(array=array, capacity=1 * PB)  # empty: counts in "in pools", no allocation
    for quota in (100 * TB, 200 * TB, 300 * TB):
        make_allocation(pool=big, quota=quota, used_bytes=10 * TB)
    make_allocation(pool=small, quota=50 * TB, used_bytes=5 * TB, physical_used_bytes=1 * TB)
    make_allocation(pool=small, quota=70 * TB, used_bytes=7 * TB, status=Allocation.Status.EXPIRED)
    arrays = admin_client.get(reverse("admin:inventory_storagearray_changelist")).context["cl"].result_list
    (listed,) = [row for row in arrays if row.pk == array.pk]
    assert listed.pooled_total == 5 * PB
    assert listed.allocated_bytes == 650 * TB  # active quotas only
    assert listed.used_bytes == 35 * TB  # active allocations only, as on the dashboard (docs/domain.md)
    assert listed.physical_used_bytes == 31 * TB  # physical where reported, else logical
    pools = admin_client.get(reverse("admin:inventory_storagepool_changelist")).context["cl"].result_list
    figures = {pool.pk: (pool.allocated_bytes, pool.used_bytes, pool.free_bytes) for pool in pools}
    assert figures[big.pk] == (600 * TB, 30 * TB, 3 * PB - 30 * TB)
    assert figures[small.pk] == (50 * TB, 5 * TB, 1 * PB - 1 * TB)


def test_pool_with_many_allocations_links_to_them_instead_of_inline_forms(admin_client):
    """At national scale a pool holds thousands of allocations: as inline forms the page took ~56 s."""
    pool = make_pool(capacity=10 * PB)
    project = make_project()
    Allocation.objects.bulk_create(
        Allocation(project=project, pool=pool, quota_bytes=TB, status=Allocation.Status.REQUESTED, start_date=date)
        for date in (datetime.date(2026, 1, 1) + datetime.timedelta(days=i) for i in range(51))
    )
    url = reverse("admin:inventory_storagepool_change", args=[pool.pk])
    page = admin_client.get(url)
    assert page.context["inline_admin_formsets"] == []
    html = page.content.decode()
    assert f'href="{reverse("admin:inventory_allocation_changelist")}?pool={pool.slug}"' in html
    assert "more than 50" in html
    # The pool itself can still be saved.
    response = admin_client.post(url, form_data(page, notes="Renewed support contract"))
    assert response.status_code == 302, errors_of(response)
    pool.refresh_from_db()
    assert pool.notes == "Renewed support contract"


def test_pool_with_few_allocations_edits_them_inline(admin_client):
    pool = make_pool()
    make_allocation(pool=pool)
    page = admin_client.get(reverse("admin:inventory_storagepool_change", args=[pool.pk]))
    (inline,) = page.context["inline_admin_formsets"]
    assert len(inline.formset.forms) == 1
    assert "more than 50" not in page.content.decode()


@pytest.mark.parametrize(
    "url", [reverse("admin:inventory_storagepool_changelist"), reverse("admin:inventory_storagearray_changelist")]
)
def test_pool_and_array_lists_count_rows_without_computing_figures(admin_client, url):
    """The figures GROUP BY a join of every allocation: the page links and the total count the table instead."""
    _changelist_rows(3)
    make_pool(array=make_array(), capacity=PB, tier=StoragePool.Tier.ARCHIVE)  # no allocation
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    counts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT COUNT(*)")]
    assert counts and not any("SUM(" in sql for sql in counts)
    assert response.context["cl"].result_count == 4
    filtered = admin_client.get(url, {"q": "pool-"} if "pool" in url else {"q": "array-"})
    assert filtered.context["cl"].result_count == 4
    assert filtered.context["cl"].full_result_count == 4


def test_pool_name_on_the_storage_system_is_edited_in_the_admin(admin_client):
    array = make_array()
    response = admin_client.post(POOL_ADD, pool_post(array, system_name="StoragePool001"))
    assert response.status_code == 302, errors_of(response)
    assert StoragePool.objects.get(slug="fast").system_name == "StoragePool001"
