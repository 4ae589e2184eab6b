"""Thinning old usage samples."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from collection.services.retention import thin_samples
from inventory.models import UsageSample
from tests.inventory.factories import make_allocation, make_project

pytestmark = pytest.mark.django_db


def test_thinning_keeps_the_last_sample_of_each_day(inventory):
    allocation = make_allocation(pool=inventory["pool"], quota_id="x", project=make_project())
    now = timezone.now()
    old_day = (now - datetime.timedelta(days=100)).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [old_day + datetime.timedelta(minutes=15 * n) for n in range(4)] + [now - datetime.timedelta(days=1)]
    moments.append(now - datetime.timedelta(days=1, minutes=15))
    for number, moment in enumerate(moments):
        UsageSample.objects.create(allocation=allocation, measured_at=moment, used_bytes=number)

    assert thin_samples(retention_days=90, now=now) == 3

    kept = sorted(UsageSample.objects.filter(allocation=allocation).values_list("used_bytes", flat=True))
    assert kept == [3, 4, 5]
