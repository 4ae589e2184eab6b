"""The allocation page: figures, enforced limit and drift, the report's age, the usage chart and the history."""

import datetime

import pytest
from django.utils import timezone

from inventory.models import Allocation, UsageSample
from inventory.services.allocations import deny_allocation, save_allocation
from inventory.services.usage_state import refresh_every_usage_state
from tests.inventory.factories import TB, make_allocation, make_pool, make_project


def test_an_allocation_page_shows_its_figures_drift_and_report_age(researcher_client):
    pool = make_pool(name="Scratch", slug="scratch")
    allocation = make_allocation(
        pool=pool,
        quota=10 * TB,
        used_bytes=4 * TB,
        enforced_quota_bytes=12 * TB,
        usage_measured_at=timezone.now() - datetime.timedelta(hours=3),
        quota_id="/scratch/p1",
    )
    html = researcher_client.get(f"/allocations/{allocation.pk}/").content.decode()
    assert f"{allocation.project.code} on Scratch" in html
    assert "10.0 TB" in html and "12.0 TB" in html  # quota and the enforced limit
    assert "drift +2.00 TB" in html
    assert "3 h ago" in html and "badge-stale" not in html
    assert "/scratch/p1" in html
    # Breadcrumbs lead back to the list and the project; the pool is a link.
    assert 'aria-label="Breadcrumb"' in html and 'href="/allocations/"' in html
    assert f'href="/storage/{pool.array.slug}/scratch/"' in html


def test_a_report_older_than_the_staleness_limit_is_marked_stale(researcher_client, settings):
    settings.CAPACITY_STALENESS_DAYS = 7
    allocation = make_allocation(
        pool=make_pool(), used_bytes=TB, usage_measured_at=timezone.now() - datetime.timedelta(days=8)
    )
    html = researcher_client.get(f"/allocations/{allocation.pk}/").content.decode()
    assert "8 d ago" in html and "badge-stale" in html and "not counted" in html
    settings.CAPACITY_STALENESS_DAYS = 9
    html = researcher_client.get(f"/allocations/{allocation.pk}/").content.decode()
    assert "badge-stale" not in html


def test_the_history_says_who_changed_status_and_quota_for_staff_only(researcher_client, staff_user, client):
    allocation = make_allocation(pool=make_pool(), status=Allocation.Status.REQUESTED, quota=10 * TB)
    allocation.quota_bytes = 20 * TB
    allocation._history_user = staff_user
    save_allocation(allocation=allocation, user=staff_user)
    deny_allocation(allocation=allocation, denied_by=staff_user)

    html = researcher_client.get(f"/allocations/{allocation.pk}/").content.decode()
    assert "quota 10.0 TB → 20.0 TB" in html
    assert "status Requested → Denied" in html
    assert "Recorded" in html
    assert "Stella Staff" not in html  # who made a change: staff only, like the requester

    client.force_login(staff_user)
    html = client.get(f"/allocations/{allocation.pk}/").content.decode()
    assert "Stella Staff" in html and "Justification" in html


def test_the_chart_draws_the_allocations_daily_usage(researcher_client):
    now = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    allocation = make_allocation(pool=make_pool(), quota=10 * TB)
    UsageSample.objects.bulk_create(
        UsageSample(allocation=allocation, measured_at=now - datetime.timedelta(days=back), used_bytes=(5 - back) * TB)
        for back in range(3)
    )
    refresh_every_usage_state()
    response = researcher_client.get(f"/allocations/{allocation.pk}/")
    points = response.context["chart"].points
    assert [p.value for p in points] == [3 * TB, 4 * TB, 5 * TB]
    assert response.context["chart"].quota_y is not None


def test_an_unknown_allocation_is_a_404(researcher_client):
    assert researcher_client.get("/allocations/999999/").status_code == 404


def test_every_allocation_row_links_to_its_page(researcher_client, estate):
    allocation = estate.allocations[0]
    for url in ["/allocations/", estate.projects[0].get_absolute_url(), estate.teams[0].get_absolute_url()]:
        assert f'href="/allocations/{allocation.pk}/"' in researcher_client.get(url).content.decode(), url


@pytest.mark.parametrize("staff", [False, True])
def test_query_count_is_flat(client, researcher, staff_user, django_assert_max_num_queries, staff):
    client.force_login(staff_user if staff else researcher)
    now = timezone.now()

    def allocation_with(changes: int, days: int) -> Allocation:
        allocation = make_allocation(pool=make_pool(capacity=1000 * TB), project=make_project(), quota=TB)
        for n in range(changes):
            allocation.quota_bytes = (n + 2) * TB
            save_allocation(allocation=allocation, user=staff_user)
        UsageSample.objects.bulk_create(
            UsageSample(allocation=allocation, measured_at=now - datetime.timedelta(days=d), used_bytes=TB)
            for d in range(days)
        )
        return allocation

    small = allocation_with(1, 2)
    with django_assert_max_num_queries(8) as small_run:
        client.get(f"/allocations/{small.pk}/")
    large = allocation_with(60, 90)
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        client.get(f"/allocations/{large.pk}/")
