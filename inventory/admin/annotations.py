"""Capacity figures computed in SQL for the admin's lists and change pages.

Each function returns annotations for one model's queryset: sums come from
correlated subqueries (one per figure, never one query per row), so a changelist
runs the same number of queries whatever its length, and every figure can be
sorted on. PostgreSQL sums bigints as numeric, so totals arrive as whole
Decimals: exact, and accepted by ``format_capacity``.
"""

from django.db.models import BigIntegerField, DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from inventory.models import Allocation, StoragePool

ACTIVE = Allocation.Status.ACTIVE

_BYTES = BigIntegerField()
_RATIO = DecimalField(max_digits=30, decimal_places=10)
# Cast before dividing: bigint / bigint would be integer division in PostgreSQL.
_NUMERIC = DecimalField(max_digits=40, decimal_places=0)


def _total(queryset, group: str, field) -> Coalesce:
    """SUM(field) over `queryset` rows correlated to the outer row; 0 when there are none."""
    summed = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(summed), Value(0), output_field=_BYTES)


def _percent(part: str, whole: str) -> ExpressionWrapper:
    """part × 100 ÷ whole as exact numeric; NULL when the whole is 0 (no capacity, no percentage)."""
    return ExpressionWrapper(Cast(F(part), _NUMERIC) * Value(100) / NullIf(F(whole), Value(0)), output_field=_RATIO)


def _ratio(part: str, whole: str) -> ExpressionWrapper:
    return ExpressionWrapper(Cast(F(part), _NUMERIC) / NullIf(F(whole), Value(0)), output_field=_RATIO)


# Per allocation, "physical used" falls back to logical used where the storage
# system reports no data reduction: free space is then estimated conservatively.
_PHYSICAL_OR_LOGICAL = Coalesce("physical_used_bytes", "used_bytes")


def pool_figures() -> dict:
    """Allocated (active quotas), used (logical and physical), free and the utilisations of a pool."""
    allocations = Allocation.objects.filter(pool=OuterRef("pk"))
    return {
        "allocated_total": _total(allocations.filter(status=ACTIVE), "pool", "quota_bytes"),
        "used_total": _total(allocations, "pool", "used_bytes"),
        "physical_used_total": _total(allocations, "pool", _PHYSICAL_OR_LOGICAL),
        # Data reduction only over the allocations whose storage reports physical usage.
        "reduced_logical_total": _total(allocations.filter(physical_used_bytes__isnull=False), "pool", "used_bytes"),
        "reduced_physical_total": _total(allocations, "pool", "physical_used_bytes"),
    }


def pool_ratios() -> dict:
    """Ratios over `pool_figures()` (annotate these in a second `.annotate()` call)."""
    return {
        "allocated_percent": _percent("allocated_total", "capacity_bytes"),
        "used_percent": _percent("physical_used_total", "capacity_bytes"),
        "oversubscription": _ratio("allocated_total", "capacity_bytes"),
        "free_total": ExpressionWrapper(F("capacity_bytes") - F("physical_used_total"), output_field=_BYTES),
        "data_reduction": _ratio("reduced_logical_total", "reduced_physical_total"),
    }


def array_figures() -> dict:
    """Pooled (sum of pool capacities), allocated, used and free of an array."""
    allocations = Allocation.objects.filter(pool__array=OuterRef("pk"))
    return {
        "pooled_total": _total(StoragePool.objects.filter(array=OuterRef("pk")), "array", "capacity_bytes"),
        "allocated_total": _total(allocations.filter(status=ACTIVE), "pool__array", "quota_bytes"),
        "used_total": _total(allocations, "pool__array", "used_bytes"),
        "physical_used_total": _total(allocations, "pool__array", _PHYSICAL_OR_LOGICAL),
    }


def array_ratios() -> dict:
    return {
        "pooled_percent": _percent("pooled_total", "usable_bytes"),
        "allocated_percent": _percent("allocated_total", "usable_bytes"),
        "used_percent": _percent("physical_used_total", "usable_bytes"),
        "oversubscription": _ratio("allocated_total", "usable_bytes"),
        "free_total": ExpressionWrapper(F("usable_bytes") - F("physical_used_total"), output_field=_BYTES),
    }


def project_figures() -> dict:
    """What a project has been promised (active quotas) and what it uses."""
    allocations = Allocation.objects.filter(project=OuterRef("pk"))
    return {
        "allocated_total": _total(allocations.filter(status=ACTIVE), "project", "quota_bytes"),
        "used_total": _total(allocations, "project", "used_bytes"),
    }


def allocation_figures() -> dict:
    """Used ÷ quota, and the drift between the enforced hard limit and the quota (NULL when unknown)."""
    return {
        "used_percent": _percent("used_bytes", "quota_bytes"),
        "drift": ExpressionWrapper(F("enforced_quota_bytes") - F("quota_bytes"), output_field=_BYTES),
    }
