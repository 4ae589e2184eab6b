"""Shared admin pieces: the estimated count of a big unfiltered list, the row checkbox."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.utils import timezone

from inventory.admin.base import EstimatedCountPaginator
from inventory.models import Site, UsageSample
from tests.inventory.factories import TB, make_allocation, make_pool, make_site

pytestmark = pytest.mark.django_db


class EstimateFromTheFirstRow(EstimatedCountPaginator):
    exact_below = 1


def _samples(count: int, *, start: datetime.datetime) -> None:
    allocation = make_allocation(pool=make_pool())
    UsageSample.objects.bulk_create(
        UsageSample(allocation=allocation, measured_at=start + datetime.timedelta(hours=i), used_bytes=TB)
        for i in range(count)
    )


def test_unfiltered_list_uses_the_planner_estimate():
    start = timezone.now() - datetime.timedelta(days=30)
    _samples(3, start=start)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_usagesample")  # reltuples = 3
    _samples(2, start=start)  # not in the estimate until the next ANALYZE
    assert EstimateFromTheFirstRow(UsageSample.objects.order_by("-measured_at"), 100).count == 3
    # Filtered: counted exactly.
    assert EstimateFromTheFirstRow(UsageSample.objects.filter(measured_at__gte=start), 100).count == 5
    # Small tables are counted exactly whatever the statistics say.
    assert EstimatedCountPaginator(UsageSample.objects.all(), 100).count == 5


def test_row_checkbox_is_the_one_django_renders():
    site = make_site(name='Lab <"A"> & B')
    ours = admin.site.get_model_admin(Site).action_checkbox(site)
    django = admin.ModelAdmin.action_checkbox(admin.site.get_model_admin(Site), site)
    assert str(ours) == str(django)
    assert "&lt;&quot;A&quot;&gt; &amp; B" in ours
