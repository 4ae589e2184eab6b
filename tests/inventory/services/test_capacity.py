"""The capacity service: human messages, and the pool limit under concurrent writers."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from inventory.models import Allocation, StoragePool
from inventory.services.allocations import approve_allocation, create_allocation, save_allocation
from inventory.services.storage import save_array, save_pool
from tests.inventory.factories import PB, TB, make_allocation, make_array, make_pool, make_project, make_user


@pytest.mark.django_db
def test_refusal_gives_allocated_requested_and_allowed_in_human_units():
    pool = make_pool(capacity=100 * TB, ratio="1.20")
    make_allocation(pool=pool, quota=100 * TB)
    with pytest.raises(ValidationError) as refused:
        create_allocation(
            project=make_project(), pool=pool, quota_bytes=25 * TB, status="active", approved_by=make_user()
        )
    message = refused.value.message_dict["quota_bytes"][0]
    assert "100 TB is already allocated" in message
    assert "25.0 TB is requested" in message
    assert "only 120 TB is allowed" in message
    assert "At most 20.0 TB more" in message
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
def test_enlarging_or_activating_is_checked_but_shrinking_is_not():
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool=pool, quota=60 * TB)
    waiting = create_allocation(project=make_project(), pool=pool, quota_bytes=50 * TB)  # requested: fine
    with pytest.raises(ValidationError, match="cannot take this allocation"):
        approve_allocation(allocation=waiting, approved_by=make_user())
    allocation.quota_bytes = 101 * TB
    with pytest.raises(ValidationError):
        save_allocation(allocation=allocation)
    allocation.quota_bytes = 40 * TB
    save_allocation(allocation=allocation)
    approved = approve_allocation(allocation=waiting, approved_by=(approver := make_user()))
    assert approved.status == "active" and approved.approved_by == approver and approved.approved_at


@pytest.mark.django_db
def test_pools_and_arrays_are_checked_with_messages():
    array = make_array(raw=2 * PB, usable=1 * PB)
    pool = make_pool(array=array, capacity=900 * TB)
    with pytest.raises(ValidationError) as refused:
        save_pool(pool=StoragePool(array=array, name="more", slug="more", capacity_bytes=200 * TB))
    assert "At most 100 TB is free" in refused.value.message_dict["capacity_bytes"][0]
    array.usable_bytes = 800 * TB
    with pytest.raises(ValidationError, match="pools take 900 TB"):
        save_array(array=array)
    make_allocation(pool=pool, quota=500 * TB)
    pool.capacity_bytes = 400 * TB
    with pytest.raises(ValidationError, match="active allocations total 500 TB"):
        save_pool(pool=pool)


# serialized_rollback: the flush after a transactional test would drop the roles the migrations created.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_concurrent_writers_never_push_a_pool_past_its_limit():
    # Each allocation fits alone (30 TB of 100 TB), but only three fit together.
    pool = make_pool(capacity=100 * TB)
    projects = [make_project() for _ in range(8)]
    approver = make_user()
    start = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer(project):
        try:
            start.wait()
            create_allocation(project=project, pool=pool, quota_bytes=30 * TB, status="active", approved_by=approver)
            result = "saved"
        except ValidationError as error:
            result = error.message_dict["quota_bytes"][0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=writer, args=(project,)) for project in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 8
    saved = [o for o in outcomes if o == "saved"]
    refused = [o for o in outcomes if o != "saved"]
    assert len(saved) == 3
    assert len(refused) == 5
    for message in refused:
        assert "90.0 TB is already allocated" in message
        assert "30.0 TB is requested" in message
        assert "only 100 TB is allowed" in message
    connection.ensure_connection()
    total = Allocation.objects.filter(pool=pool, status="active").aggregate(t=Sum("quota_bytes"))["t"]
    assert total == 90 * TB


@pytest.mark.django_db
def test_allowed_beyond_the_bigint_range_does_not_overflow():
    """capacity × maximum oversubscription can exceed 2^63 − 1: allowed is exact numeric in SQL too."""
    pool = make_pool(capacity=2**62, ratio="3.00", array=make_array(raw=2**62, usable=2**62))
    allocation = make_allocation(pool=pool, quota=2**62)  # the trigger computes the pool's allowed
    assert allocation.pk and pool.allowed_bytes == 3 * 2**62
