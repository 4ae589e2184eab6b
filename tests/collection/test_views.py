"""The Collectors and reconciliation pages, and the observed figures on the array and pool pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collection.models import CollectionRun
from collection.services.run import collect
from collection.services.targets import from_collector
from tests.collection.conftest import make_collector
from tests.inventory.factories import make_array, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def collected(dm_sim, inventory, tmp_path):
    collector = make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    run, _ = collect(target=from_collector(collector))
    assert run.outcome == CollectionRun.Outcome.SUCCEEDED, run.errors
    return collector


def test_collectors_page_shows_last_success_and_staleness(staff_client, collected, inventory, tmp_path):
    page = staff_client.get(reverse("collection:collectors")).content.decode()
    assert inventory["array"].name in page
    assert 'badge-critical">stale' not in page
    CollectionRun.objects.update(finished_at=timezone.now() - datetime.timedelta(minutes=31))
    page = staff_client.get(reverse("collection:collectors")).content.decode()
    assert 'badge-critical">stale' in page


def test_collectors_page_is_for_staff_only(researcher_client):
    response = researcher_client.get(reverse("collection:collectors"))
    assert response.status_code == 302


def test_collectors_page_queries_do_not_grow(staff_client, collected, tmp_path):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("collection:collectors")).status_code == 200
        return len(queries)

    before = count()
    for _ in range(3):
        other = make_array()
        make_collector(other, "http://127.0.0.1:9", tmp_path=tmp_path)
    assert count() == before


def test_reconciliation_page_and_csv(staff_client, collected, inventory):
    url = reverse("collection:reconciliation", args=[inventory["array"].slug])
    page = staff_client.get(url).content.decode()
    assert "proj-2" in page and "Quota tree with no allocation" in page
    assert "pool-b" in page and "Limit differs from the promised quota" in page
    csv = b"".join(staff_client.get(url, {"format": "csv"}).streaming_content).decode().splitlines()
    assert csv[0].startswith("kind,pool,name_on_system")
    assert any(line.startswith("limit_differs,") and ",10000000000000,5000000000000," in line for line in csv)


def test_array_and_pool_pages_show_what_the_array_reports(staff_client, collected, inventory):
    array, pool = inventory["array"], inventory["pool"]
    page = staff_client.get(array.get_absolute_url()).content.decode()
    assert "The array reports 1.70 PB usable" in page and "the inventory says 1.50 PB" in page
    page = staff_client.get(pool.get_absolute_url()).content.decode()
    assert "The array reports 1.20 PB usable" in page and "the inventory says 1.00 PB" in page
    assert 'badge-critical">stale' not in page
    CollectionRun.objects.update(finished_at=timezone.now() - datetime.timedelta(hours=1))
    assert 'badge-critical">stale' in staff_client.get(pool.get_absolute_url()).content.decode()


def test_reconciliation_page_queries_do_not_grow(staff_client, collected, inventory):
    from collection.models import ReconciliationItem

    url = reverse("collection:reconciliation", args=[inventory["array"].slug])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    before = count()
    run = CollectionRun.objects.get()
    first = inventory["allocations"][0]
    ReconciliationItem.objects.bulk_create(
        ReconciliationItem(
            run=run, kind="limit_differs", pool=inventory["pool"], allocation=first, name_on_system=f"t{n}"
        )
        for n in range(20)
    )
    assert count() == before
