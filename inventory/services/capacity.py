"""Capacity rules checked under row locks, with messages in human units.

Callers must be inside a transaction: each check locks the parent row (the
pool for allocations, the array for pools) with SELECT ... FOR UPDATE, so two
admins saving at once queue behind each other and the second sees the first's
allocation in its sum. Rows are always locked in one order, array, then pool,
then allocations (a path may skip a level, never go back up one), so that an
allocation being added and its pool being resized cannot deadlock. The database triggers of migration 0003 enforce the same
rules as a last line; these functions exist so that people get a clear message.
"""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext

from inventory import figures
from inventory.models import Allocation, StorageArray, StoragePool
from inventory.units import format_capacity


def _sum(queryset, field: str) -> int:
    return queryset.aggregate(total=Sum(field))["total"] or 0


def check_allocation_fits(allocation: Allocation) -> None:
    """Refuse an active allocation that would push its pool past capacity × maximum oversubscription.

    A change that does not grow what the pool has promised (a shrink, a status
    change away from active) always passes, so an over-full pool can be repaired.
    """
    if allocation.status != Allocation.Status.ACTIVE or allocation.pool_id is None:
        return
    if allocation.pk:
        before = Allocation.objects.filter(pk=allocation.pk).values("status", "pool_id", "quota_bytes").first()
        if (
            before
            and before["status"] == Allocation.Status.ACTIVE
            and before["pool_id"] == allocation.pool_id
            and allocation.quota_bytes is not None
            and allocation.quota_bytes <= before["quota_bytes"]
        ):
            return
    # Only the pool row (of="self"): locking the joined array too, after the pool, would take
    # the two locks in the opposite order to a pool edit (array, then pool) and deadlock with it.
    pool = StoragePool.objects.select_for_update(of=("self",)).select_related("array").get(pk=allocation.pool_id)
    others = Allocation.objects.filter(pool=pool, status=Allocation.Status.ACTIVE)
    if allocation.pk:
        others = others.exclude(pk=allocation.pk)
    allocated = _sum(others, "quota_bytes")
    requested = allocation.quota_bytes or 0
    allowed = figures.allowed_bytes(pool.capacity_bytes, pool.max_oversubscription)
    if allocated + requested > allowed:
        free = max(allowed - allocated, 0)
        raise ValidationError(
            {
                "quota_bytes": gettext(
                    "Pool %(pool)s cannot take this allocation: %(allocated)s is already "
                    "allocated and %(requested)s is requested, but only "
                    "%(allowed)s is allowed (%(capacity)s capacity "
                    "× %(oversubscription)s maximum oversubscription). "
                    "At most %(free)s more can be allocated."
                )
                % {
                    "pool": pool,
                    "allocated": format_capacity(allocated),
                    "requested": format_capacity(requested),
                    "allowed": format_capacity(allowed),
                    "capacity": format_capacity(pool.capacity_bytes),
                    "oversubscription": pool.max_oversubscription,
                    "free": format_capacity(free),
                }
            },
            code="pool_over_allocated",
        )


def check_pool_fits(pool: StoragePool) -> None:
    """Refuse a pool that would overfill its array, or shrink below what it has promised."""
    if pool.array_id is None or pool.capacity_bytes is None:
        return
    before = None
    if pool.pk:
        before = StoragePool.objects.filter(pk=pool.pk).values("array_id", "capacity_bytes").first()
    array = StorageArray.objects.select_for_update().get(pk=pool.array_id)
    grows = before is None or before["array_id"] != pool.array_id or pool.capacity_bytes > before["capacity_bytes"]
    if grows:
        others = StoragePool.objects.filter(array=array)
        if pool.pk:
            others = others.exclude(pk=pool.pk)
        pooled = _sum(others, "capacity_bytes")
        if pooled + pool.capacity_bytes > array.usable_bytes:
            free = max(array.usable_bytes - pooled, 0)
            raise ValidationError(
                {
                    "capacity_bytes": gettext(
                        "Array %(array)s cannot hold this pool: its other pools take %(pooled)s "
                        "and this one asks for %(requested)s, but the array has only "
                        "%(usable)s usable. At most %(free)s is free."
                    )
                    % {
                        "array": array,
                        "pooled": format_capacity(pooled),
                        "requested": format_capacity(pool.capacity_bytes),
                        "usable": format_capacity(array.usable_bytes),
                        "free": format_capacity(free),
                    }
                },
                code="array_over_committed",
            )
    if pool.pk and pool.max_oversubscription is not None:
        # Lock the pool row too, so no allocation slips in while it shrinks.
        StoragePool.objects.select_for_update().filter(pk=pool.pk).exists()
        allocated = _sum(Allocation.objects.filter(pool_id=pool.pk, status=Allocation.Status.ACTIVE), "quota_bytes")
        allowed = figures.allowed_bytes(pool.capacity_bytes, pool.max_oversubscription)
        if allowed is not None and allocated > allowed:
            raise ValidationError(
                {
                    "capacity_bytes": gettext(
                        "The pool's active allocations total %(allocated)s, more than the "
                        "%(allowed)s this capacity and oversubscription would allow. "
                        "Shrink or end allocations first."
                    )
                    % {"allocated": format_capacity(allocated), "allowed": format_capacity(allowed)}
                },
                code="pool_below_allocated",
            )


def check_array_holds_pools(array: StorageArray) -> None:
    """Refuse shrinking an array's usable capacity below what its pools take."""
    if not array.pk or array.usable_bytes is None:
        return
    StorageArray.objects.select_for_update().filter(pk=array.pk).exists()
    pooled = _sum(StoragePool.objects.filter(array_id=array.pk), "capacity_bytes")
    if pooled > array.usable_bytes:
        raise ValidationError(
            {
                "usable_bytes": gettext(
                    "The array's pools take %(pooled)s, more than %(usable)s usable. Shrink its pools first."
                )
                % {"pooled": format_capacity(pooled), "usable": format_capacity(array.usable_bytes)}
            },
            code="array_below_pools",
        )
