"""The usage-sample changelist: filters that need no query, the list order's index, the estimated total."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.importers import FORMATS
from inventory.models import UsageSample
from tests.inventory.factories import TB, make_allocation, make_pool

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:inventory_usagesample_changelist")


def _sample(allocation, *, ago: datetime.timedelta, source: str = "demo") -> UsageSample:
    return UsageSample.objects.create(
        allocation=allocation, measured_at=timezone.now() - ago, used_bytes=TB, source=source
    )


def _listed(response) -> set[int]:
    return {sample.pk for sample in response.context["cl"].result_list}


def test_no_query_reads_the_whole_history(admin_client):
    allocation = make_allocation(pool=make_pool())
    _sample(allocation, ago=datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries).upper()
    # date_hierarchy (DATE_TRUNC, MIN/MAX) and a list_filter on a field (SELECT DISTINCT) each scan it all.
    assert "DATE_TRUNC" not in sql
    assert "SELECT DISTINCT" not in sql
    assert "MIN(" not in sql


def test_source_filter_offers_every_import_format_and_the_demo(admin_client):
    response = admin_client.get(CHANGELIST)
    source_filter = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "source")
    offered = [value for value, _ in source_filter.lookup_choices]
    assert offered == [*FORMATS, "demo", "-"]


def test_source_filter(admin_client):
    allocation = make_allocation(pool=make_pool())
    xdmod = _sample(allocation, ago=datetime.timedelta(days=1), source="xdmod")
    demo = _sample(allocation, ago=datetime.timedelta(days=2), source="demo")
    typed = _sample(allocation, ago=datetime.timedelta(days=3), source="")
    assert _listed(admin_client.get(CHANGELIST, {"source": "xdmod"})) == {xdmod.pk}
    assert _listed(admin_client.get(CHANGELIST, {"source": "demo"})) == {demo.pk}
    assert _listed(admin_client.get(CHANGELIST, {"source": "-"})) == {typed.pk}
    assert _listed(admin_client.get(CHANGELIST)) == {xdmod.pk, demo.pk, typed.pk}


@pytest.mark.parametrize(
    ("choice", "expected"), [("1d", {"hour"}), ("7d", {"hour", "days"}), ("90d", {"hour", "days", "months"})]
)
def test_measured_filter(admin_client, choice, expected):
    allocation = make_allocation(pool=make_pool())
    samples = {
        "hour": _sample(allocation, ago=datetime.timedelta(hours=1)),
        "days": _sample(allocation, ago=datetime.timedelta(days=3)),
        "months": _sample(allocation, ago=datetime.timedelta(days=60)),
        "year": _sample(allocation, ago=datetime.timedelta(days=365)),
    }
    response = admin_client.get(CHANGELIST, {"measured": choice})
    assert _listed(response) == {samples[name].pk for name in expected}
    assert response.context["cl"].result_count == len(expected)


def test_newest_first_ties_by_id(admin_client):
    moment = timezone.now() - datetime.timedelta(hours=1)
    first, second = (
        UsageSample.objects.create(allocation=make_allocation(pool=make_pool()), measured_at=moment, used_bytes=TB)
        for _ in range(2)
    )
    older = _sample(first.allocation, ago=datetime.timedelta(days=1))
    response = admin_client.get(CHANGELIST)
    assert [sample.pk for sample in response.context["cl"].result_list] == [second.pk, first.pk, older.pk]


def test_list_order_is_indexed():
    """The list's ORDER BY measured_at DESC, id DESC reads the first page from this index, not a sort."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inventory_usagesample'")
        indexes = dict(cursor.fetchall())
    assert "(measured_at DESC, id DESC)" in indexes["sample_measured_at_id"]
    # The composite index replaces the one on measured_at alone.
    assert "sample_measured_at" not in indexes


def test_usage_cannot_be_typed_in(admin_client):
    """Usage comes from reports: the admin has no "add" page for samples, and a post to it changes nothing."""
    allocation = make_allocation(pool=make_pool())
    response = admin_client.post(
        "/admin/inventory/usagesample/add/",
        {
            "allocation": allocation.pk,
            "measured_at_0": "2026-11-27",
            "measured_at_1": "12:00:00",
            "used_bytes": "5 TB",
            "source": "manual",
        },
    )
    assert response.status_code == 403
    assert not UsageSample.objects.filter(allocation=allocation).exists()
    allocation.refresh_from_db()
    assert allocation.used_bytes is None
