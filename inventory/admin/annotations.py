"""Capacity figures computed in SQL for the admin's lists and change pages.

Each function returns annotations for one model's queryset, never one query per row,
so a changelist runs the same number of queries whatever its length, and every figure
can be sorted on. PostgreSQL sums bigints as numeric, so totals arrive as whole
Decimals: exact, and accepted by ``format_capacity``.

Pools and arrays are few, each with thousands of allocations: their figures are
aggregates over one join (one pass over the allocations, ~40,000 rows at national
scale). A correlated subquery per figure read those allocations once per figure and
per row, and again for every ratio built on a figure (1.3 s for 5 pools). Projects
are many, each with few allocations: theirs stay correlated subqueries, which
PostgreSQL evaluates for the rows of the page only.
"""

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from inventory.models import Allocation, ResearchProject, StoragePool, TeamMembership

ACTIVE = Allocation.Status.ACTIVE

_BYTES = BigIntegerField()
_RATIO = DecimalField(max_digits=30, decimal_places=10)
# Cast before dividing: bigint / bigint would be integer division in PostgreSQL.
_NUMERIC = DecimalField(max_digits=40, decimal_places=0)


def _total(queryset, group: str, field) -> Coalesce:
    """SUM(field) over `queryset` rows correlated to the outer row; 0 when there are none."""
    summed = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(summed), Value(0), output_field=_BYTES)


def _row_total(queryset, field: str) -> Subquery:
    """SUM(field) over `queryset` rows correlated to the outer row, for a query that is GROUPed BY the row.

    A plain SUM (not Django's aggregate): the subquery always returns one row (0 when empty)
    and, left bare, is grouped by the outer row's key only. Wrapped in an expression (such
    as Coalesce) it would be a GROUP BY key itself and run once per joined row.
    """
    total = Coalesce(Func(F(field), function="SUM"), Value(0), output_field=_BYTES)
    return Subquery(queryset.order_by().values(total=total), output_field=_BYTES)


def _sum(field, *, where: Q | None = None) -> Coalesce:
    """SUM(field) over the joined allocations of each row (GROUP BY the row); 0 when there are none."""
    return Coalesce(Sum(field, filter=where), Value(0), output_field=_BYTES)


def _percent(part: str, whole: str) -> ExpressionWrapper:
    """part × 100 ÷ whole as exact numeric; NULL when the whole is 0 (no capacity, no percentage)."""
    return ExpressionWrapper(Cast(F(part), _NUMERIC) * Value(100) / NullIf(F(whole), Value(0)), output_field=_RATIO)


def _ratio(part: str, whole: str) -> ExpressionWrapper:
    return ExpressionWrapper(Cast(F(part), _NUMERIC) / NullIf(F(whole), Value(0)), output_field=_RATIO)


def pool_figures() -> dict:
    """Allocated (active quotas), used (logical and physical), free and the utilisations of a pool."""
    return {
        "allocated_total": _sum("allocations__quota_bytes", where=Q(allocations__status=ACTIVE)),
        "used_total": _sum("allocations__used_bytes"),
        # Per allocation, "physical used" falls back to logical used where the storage
        # system reports no data reduction: free space is then estimated conservatively.
        "physical_used_total": _sum(Coalesce("allocations__physical_used_bytes", "allocations__used_bytes")),
        # Data reduction only over the allocations whose storage reports physical usage.
        "reduced_logical_total": _sum(
            "allocations__used_bytes", where=Q(allocations__physical_used_bytes__isnull=False)
        ),
        "reduced_physical_total": _sum("allocations__physical_used_bytes"),
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
    return {
        # A subquery: summed over the join with the allocations, each pool would count once per allocation.
        "pooled_total": _row_total(StoragePool.objects.filter(array=OuterRef("pk")), "capacity_bytes"),
        "allocated_total": _sum("pools__allocations__quota_bytes", where=Q(pools__allocations__status=ACTIVE)),
        "used_total": _sum("pools__allocations__used_bytes"),
        "physical_used_total": _sum(
            Coalesce("pools__allocations__physical_used_bytes", "pools__allocations__used_bytes")
        ),
    }


def array_ratios() -> dict:
    return {
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


def _count(queryset, group: str) -> Coalesce:
    """COUNT of `queryset` rows correlated to the outer row; 0 when there are none."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), Value(0), output_field=BigIntegerField())


def team_figures() -> dict:
    """Members and projects of a team.

    Correlated subqueries, not COUNT(DISTINCT) over a join of both: with thousands of
    teams the join grouped every team (and the list's COUNT and its institution filter
    grouped them again); PostgreSQL runs these only for the rows of the page.
    """
    return {
        "member_total": _count(TeamMembership.objects.filter(team=OuterRef("pk")), "team"),
        "project_total": _count(ResearchProject.objects.filter(team=OuterRef("pk")), "team"),
    }


def allocation_figures() -> dict:
    """Used ÷ quota, and the drift between the enforced hard limit and the quota (NULL when unknown)."""
    return {
        "used_percent": _percent("used_bytes", "quota_bytes"),
        "drift": ExpressionWrapper(F("enforced_quota_bytes") - F("quota_bytes"), output_field=_BYTES),
    }
