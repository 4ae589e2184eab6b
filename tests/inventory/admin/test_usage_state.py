"""Usage state follows the stored samples whatever the admin does to them (one owner: services/usage_state)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import PoolDailyUsage, UsageSample
from inventory.services.usage import save_usage_sample
from inventory.units import parse_capacity
from tests.inventory.admin.conftest import errors_of, form_data
from tests.inventory.factories import TB, make_allocation, make_pool

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:inventory_usagesample_changelist")


def _post_sample(admin_client, allocation, measured_at, used="5 TB"):
    """A sample as a report stores it (the usage service): the admin only corrects samples, never adds one."""
    return save_usage_sample(
        sample=UsageSample(allocation=allocation, measured_at=measured_at, used_bytes=parse_capacity(used))
    )


def test_deleting_the_newest_sample_falls_back_to_the_one_before(admin_client):
    allocation = make_allocation(pool=make_pool())
    now = timezone.now().replace(microsecond=0)
    _post_sample(admin_client, allocation, now - datetime.timedelta(days=1), used="3 TB")
    newest = _post_sample(admin_client, allocation, now - datetime.timedelta(hours=1), used="5 TB")
    allocation.refresh_from_db()
    assert allocation.used_bytes == 5 * TB
    today = now.astimezone(datetime.UTC).date()
    assert PoolDailyUsage.objects.get(pool=allocation.pool, day=today).used_bytes in (3 * TB, 5 * TB)

    response = admin_client.post(reverse("admin:inventory_usagesample_delete", args=[newest.pk]), {"post": "yes"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.used_bytes == 3 * TB
    assert allocation.usage_measured_at == now - datetime.timedelta(days=1)
    # The rollup of the deleted sample's day no longer counts it: yesterday's value carries forward.
    assert PoolDailyUsage.objects.get(pool=allocation.pool, day=today).used_bytes == 3 * TB


def test_bulk_delete_of_every_sample_leaves_no_usage(admin_client):
    allocation = make_allocation(pool=make_pool())
    now = timezone.now().replace(microsecond=0)
    ids = [_post_sample(admin_client, allocation, now - datetime.timedelta(hours=h)).pk for h in (1, 2)]
    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}, follow=True
    )
    assert response.status_code == 200
    allocation.refresh_from_db()
    assert allocation.used_bytes is None and allocation.usage_measured_at is None


def test_back_dating_the_newest_sample_moves_latest_usage_to_the_new_newest(admin_client):
    allocation = make_allocation(pool=make_pool())
    now = timezone.now().replace(microsecond=0)
    _post_sample(admin_client, allocation, now - datetime.timedelta(days=2), used="2 TB")
    newest = _post_sample(admin_client, allocation, now - datetime.timedelta(hours=1), used="7 TB")
    change = reverse("admin:inventory_usagesample_change", args=[newest.pk])
    earlier = now - datetime.timedelta(days=3)
    page = admin_client.get(change)
    data = form_data(page, measured_at_0=earlier.strftime("%Y-%m-%d"), measured_at_1=earlier.strftime("%H:%M:%S"))
    response = admin_client.post(change, data)
    assert response.status_code == 302, errors_of(response)
    allocation.refresh_from_db()
    assert allocation.used_bytes == 2 * TB


def test_a_report_saying_no_limit_clears_the_enforced_limit_and_its_drift(admin_client):
    allocation = make_allocation(pool=make_pool(), quota=10 * TB)
    now = timezone.now().replace(microsecond=0)
    UsageSample.objects.create(
        allocation=allocation,
        measured_at=now - datetime.timedelta(days=1),
        used_bytes=TB,
        hard_limit_bytes=12 * TB,
        limits_reported=True,
    )
    from inventory.services.usage_state import refresh_usage_state

    refresh_usage_state(allocation_ids=[allocation.pk], moments=[now - datetime.timedelta(days=1)])
    allocation.refresh_from_db()
    assert allocation.quota_drift_bytes == 2 * TB
    # A newer report that carries limits but sets none ("no limit"): the old limit must not stay.
    UsageSample.objects.create(
        allocation=allocation, measured_at=now, used_bytes=TB, hard_limit_bytes=None, limits_reported=True
    )
    refresh_usage_state(allocation_ids=[allocation.pk], moments=[now])
    allocation.refresh_from_db()
    assert allocation.enforced_quota_bytes is None and allocation.quota_drift_bytes is None
