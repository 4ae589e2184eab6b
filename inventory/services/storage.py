"""Saving arrays and pools within their capacity rules."""

from django.db import transaction

from inventory.models import StorageArray, StoragePool
from inventory.services.capacity import check_array_holds_pools, check_pool_fits


def save_array(*, array: StorageArray) -> StorageArray:
    with transaction.atomic():
        array.full_clean()
        check_array_holds_pools(array)
        array.save()
    return array


def save_pool(*, pool: StoragePool) -> StoragePool:
    with transaction.atomic():
        pool.full_clean()
        check_pool_fits(pool)
        pool.save()
    return pool
