"""Admin lists put what matters first (status, quota, used, percentage) and write dates as YYYY-MM-DD."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.inventory.factories import TB, make_allocation, make_pool

pytestmark = pytest.mark.django_db


def headers(html: str) -> list[str]:
    """The changelist's column classes, in order (Django names each ``column-<field>``)."""
    return re.findall(r'<th scope="col" class="[^"]*column-([a-z_]+)', html)


def test_the_allocation_list_starts_with_status_quota_used_and_percentage(admin_client):
    make_allocation(
        pool=make_pool(), quota=10 * TB, start_date=datetime.date(2026, 3, 4), end_date=datetime.date(2027, 5, 6)
    )
    html = admin_client.get(reverse("admin:inventory_allocation_changelist")).content.decode()
    assert headers(html)[:5] == ["__str__", "status", "quota_display", "used_display", "used_percent_display"]
    assert "2026-03-04" in html and "2027-05-06" in html
    assert "March" not in html and "4 Mar" not in html


def test_the_pool_list_starts_with_status_capacity_used_and_percentage(admin_client):
    make_pool()
    html = admin_client.get(reverse("admin:inventory_storagepool_changelist")).content.decode()
    assert headers(html)[:5] == ["name", "status_display", "capacity_display", "used_display", "used_percent_display"]
    assert ">Active<" in html


def test_history_dates_are_iso(admin_client):
    allocation = make_allocation(pool=make_pool())
    html = admin_client.get(reverse("admin:inventory_allocation_history", args=[allocation.pk])).content.decode()
    today = allocation.history.latest("history_date").history_date.date().isoformat()
    assert today in html


def test_an_allocation_links_to_its_dashboard_page_and_its_samples(admin_client):
    allocation = make_allocation(pool=make_pool())
    html = admin_client.get(reverse("admin:inventory_allocation_change", args=[allocation.pk])).content.decode()
    view_on_site = re.search(r'<a href="([^"]+)" class="viewsitelink"', html).group(1)
    assert admin_client.get(view_on_site)["Location"].endswith(f"/allocations/{allocation.pk}/")
    samples = reverse("admin:inventory_usagesample_changelist") + f"?allocation__id__exact={allocation.pk}"
    assert samples in html
    assert admin_client.get(samples).status_code == 200


def test_pool_and_array_filters_are_text_boxes_not_one_link_each(admin_client):
    """With 600 pools and 160 arrays (bench/wide.py) a link per choice was most of the list's rendering."""
    pools = [make_pool() for _ in range(3)]
    for pool in pools:
        make_allocation(pool=pool)
    url = reverse("admin:inventory_allocation_changelist")
    html = admin_client.get(url, {"status__exact": "active", "o": "2"}).content.decode()
    assert "pool__id__exact" not in html and "pool__array__id__exact" not in html
    assert '<input type="search" id="filter-pool" name="pool"' in html
    assert '<input type="search" id="filter-array" name="array"' in html
    # The box submits with the other filters and the ordering kept.
    assert '<input type="hidden" name="status__exact" value="active">' in html
    assert '<input type="hidden" name="o" value="2">' in html
    chosen = pools[1]
    by_slug = admin_client.get(url, {"pool": chosen.slug})
    assert [a.pool_id for a in by_slug.context["cl"].result_list] == [chosen.pk]
    by_array = admin_client.get(url, {"array": chosen.array.name})
    assert [a.pool_id for a in by_array.context["cl"].result_list] == [chosen.pk]
    assert admin_client.get(url, {"pool": "no-such-pool"}).context["cl"].result_count == 0


def test_usage_samples_and_imports_filter_by_pool_text(admin_client):
    pool = make_pool()
    make_allocation(pool=pool)
    for name in ("inventory_usagesample_changelist", "inventory_usageimport_changelist"):
        response = admin_client.get(reverse(f"admin:{name}"), {"pool": pool.slug})
        assert response.status_code == 200
        assert '<input type="search" id="filter-pool" name="pool"' in response.content.decode()
