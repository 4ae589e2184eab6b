"""docs/domain.md rules 1-5 hold in the database itself, whatever code writes."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.models import Allocation, StorageArray, StoragePool, UsageSample
from tests.inventory.factories import PB, TB, make_allocation, make_array, make_pool, make_project

pytestmark = pytest.mark.django_db


def refused(constraint_fragment: str):
    """Expect the database to refuse the write, naming the rule."""
    return pytest.raises(IntegrityError, match=constraint_fragment)


def test_capacities_are_exact_64_bit_integers():
    array = make_array(raw=2 * PB, usable=2 * PB - 1)
    array.refresh_from_db()
    assert array.raw_bytes == 2_000_000_000_000_000
    assert array.usable_bytes == 1_999_999_999_999_999
    big = make_array(raw=2**63 - 1, usable=2**63 - 1)
    big.refresh_from_db()
    assert big.raw_bytes == 9_223_372_036_854_775_807


def test_usable_may_not_exceed_raw():
    with refused("array_usable_within_raw"), transaction.atomic():
        make_array(raw=1 * PB, usable=2 * PB)


def test_negative_capacities_are_refused():
    with refused("array_raw_non_negative"), transaction.atomic():
        make_array(raw=-1, usable=-1)
    with refused("pool_capacity_non_negative"), transaction.atomic():
        make_pool(capacity=-5)


def test_pool_thresholds_must_be_ordered():
    with refused("pool_thresholds_ordered"), transaction.atomic():
        make_pool(warning_threshold=95, critical_threshold=90)


def test_pools_of_an_array_must_fit_its_usable_capacity():
    array = make_array(raw=2 * PB, usable=1 * PB)
    make_pool(array=array, capacity=600 * TB)
    with refused("pool_fits_array"), transaction.atomic():
        make_pool(array=array, capacity=401 * TB)
    make_pool(array=array, capacity=400 * TB)  # exactly full is fine


def test_an_array_cannot_shrink_below_its_pools():
    array = make_array(raw=2 * PB, usable=1 * PB)
    make_pool(array=array, capacity=800 * TB)
    with refused("would hold less than its pools"), transaction.atomic():
        StorageArray.objects.filter(pk=array.pk).update(usable_bytes=700 * TB)


def test_active_allocations_may_not_exceed_capacity_times_oversubscription():
    pool = make_pool(capacity=100 * TB, ratio="1.20")
    make_allocation(pool=pool, quota=100 * TB)
    make_allocation(pool=pool, quota=20 * TB)  # exactly 120 TB allowed
    with refused("allocation_fits_pool"), transaction.atomic():
        make_allocation(pool=pool, quota=1)
    # Requested allocations promise nothing yet, so they may queue beyond the limit.
    make_allocation(pool=pool, quota=50 * TB, status=Allocation.Status.REQUESTED)


def test_bulk_writes_cannot_bypass_the_pool_limit():
    pool = make_pool(capacity=100 * TB)
    project_a, project_b = make_project(), make_project()
    with refused("allocation_fits_pool"), transaction.atomic():
        Allocation.objects.bulk_create(
            [
                Allocation(project=p, pool=pool, quota_bytes=60 * TB, status="active", start_date=datetime.date.today())
                for p in (project_a, project_b)
            ]
        )


def test_a_pool_cannot_shrink_below_its_active_allocations():
    pool = make_pool(capacity=100 * TB)
    make_allocation(pool=pool, quota=90 * TB)
    with refused("would hold less than its active allocations"), transaction.atomic():
        StoragePool.objects.filter(pk=pool.pk).update(capacity_bytes=80 * TB)


def test_shrinking_an_over_full_pools_allocation_is_always_allowed():
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool=pool, quota=100 * TB)
    Allocation.objects.filter(pk=allocation.pk).update(quota_bytes=50 * TB)
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 50 * TB


def test_allocation_end_date_must_follow_start_date():
    pool = make_pool()
    with refused("allocation_ends_after_start"), transaction.atomic():
        make_allocation(pool=pool, start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 5, 1))


def test_a_project_has_at_most_one_active_allocation_per_pool():
    pool = make_pool()
    project = make_project()
    make_allocation(pool=pool, project=project)
    with refused("one_active_allocation_per_project_and_pool"), transaction.atomic():
        make_allocation(pool=pool, project=project)
    # An expired one beside the active one is history, not a second promise.
    make_allocation(pool=pool, project=project, status=Allocation.Status.EXPIRED)


def test_quota_identifiers_are_unique_per_pool_but_may_repeat_across_pools():
    pool, other_pool = make_pool(), make_pool()
    make_allocation(pool=pool, quota_id="/a800/llm/nn1001k")
    with refused("quota_id_unique_per_pool"), transaction.atomic():
        make_allocation(pool=pool, quota_id="/a800/llm/nn1001k")
    make_allocation(pool=other_pool, quota_id="/a800/llm/nn1001k")
    # Not yet provisioned: many allocations may have no identifier.
    make_allocation(pool=pool, quota_id="", status="requested")
    make_allocation(pool=pool, quota_id="", status="requested")


def test_usage_is_never_negative_and_soft_never_above_hard():
    allocation = make_allocation(pool=make_pool())
    now = timezone.now()
    with refused("sample_used_non_negative"), transaction.atomic():
        UsageSample.objects.create(allocation=allocation, measured_at=now, used_bytes=-1)
    with refused("sample_soft_within_hard"), transaction.atomic():
        UsageSample.objects.create(
            allocation=allocation, measured_at=now, used_bytes=1, soft_limit_bytes=10 * TB, hard_limit_bytes=9 * TB
        )


def test_usage_history_is_unique_per_allocation_and_moment():
    allocation = make_allocation(pool=make_pool())
    moment = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    UsageSample.objects.create(allocation=allocation, measured_at=moment, used_bytes=5)
    with refused("sample_unique_per_moment"), transaction.atomic():
        UsageSample.objects.create(allocation=allocation, measured_at=moment, used_bytes=6)


def test_an_allocation_with_history_cannot_be_deleted_silently():
    allocation = make_allocation(pool=make_pool())
    UsageSample.objects.create(allocation=allocation, measured_at=timezone.now(), used_bytes=5)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        allocation.delete()


def test_full_clean_names_out_of_order_thresholds_without_crashing():
    from django.core.exceptions import ValidationError

    pool = make_pool()
    pool.warning_threshold, pool.critical_threshold = 95, 90
    with pytest.raises(ValidationError, match="warning threshold must be below the critical threshold"):
        pool.full_clean()
