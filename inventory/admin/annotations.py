"""Capacity figures for the admin's lists and change pages, from inventory.figures (the one definition).

Each function returns annotations for one model's queryset, never one query per row, so a changelist runs
the same number of queries whatever its length, and every figure can be sorted on.

Pools and arrays are few, each with thousands of allocations: their figures are aggregates over one join
(one pass over the allocations). Teams and projects are many, each with few allocations: theirs are
correlated subqueries, which PostgreSQL evaluates for the rows of the page only.
"""

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from inventory import figures
from inventory.models import ResearchProject, StoragePool, Team, TeamMembership

_BYTES = BigIntegerField()


def _pools_total(expression) -> Subquery:
    """SUM over the array's pools as a subquery: summed over the join with allocations, a pool would count
    once per allocation."""
    rows = StoragePool.objects.filter(array=OuterRef("pk")).order_by().values("array").annotate(total=expression)
    return Coalesce(Subquery(rows.values("total"), output_field=_BYTES), Value(0), output_field=_BYTES)


def pool_figures() -> dict:
    """Allocated, used (logical, physical), not reporting and allowed of each pool."""
    return {
        **figures.allocation_sums("allocations__"),
        "allowed_total": figures.AllowedBytes(F("capacity_bytes"), F("max_oversubscription")),
    }


def pool_ratios() -> dict:
    """Ratios over `pool_figures()` (annotate them in a second `.annotate()` call)."""
    return figures.capacity_ratios(capacity="capacity_bytes", allowed="allowed_total")


def array_figures() -> dict:
    """Pooled (sum of pool capacities), allowed, allocated, used and not reporting of each array."""
    from django.db.models import Sum

    return {
        **figures.allocation_sums("pools__allocations__"),
        "pooled_total": _pools_total(Sum("capacity_bytes")),
        "allowed_total": _pools_total(Sum(figures.AllowedBytes(F("capacity_bytes"), F("max_oversubscription")))),
    }


def array_ratios() -> dict:
    return figures.capacity_ratios(capacity="usable_bytes", allowed="allowed_total")


def project_figures() -> dict:
    """What a project has been promised (active quotas), what it uses, and how many are not reporting."""
    return figures.figure_subqueries("project")


def _count(queryset, group: str) -> Coalesce:
    """COUNT of `queryset` rows correlated to the outer row; 0 when there are none."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), Value(0), output_field=_BYTES)


def team_figures() -> dict:
    """Members, projects, allocated, used and not reporting of a team (correlated subqueries, see above)."""
    return {
        "member_total": _count(TeamMembership.objects.filter(team=OuterRef("pk")), "team"),
        "project_total": _count(ResearchProject.objects.filter(team=OuterRef("pk")), "team"),
        **figures.figure_subqueries("project__team"),
    }


def institution_figures() -> dict:
    """Teams, allocated, used and not reporting of an institution (correlated subqueries, see above)."""
    return {
        "team_total": _count(Team.objects.filter(institution=OuterRef("pk")), "institution"),
        **figures.figure_subqueries("project__team__institution"),
    }


def allocation_figures() -> dict:
    """Used ÷ quota, and the drift between the enforced hard limit and the quota (NULL when unknown)."""
    from inventory.thresholds import used_percent_expression

    return {
        "used_percent": used_percent_expression("used_bytes", "quota_bytes"),
        "drift": ExpressionWrapper(F("enforced_quota_bytes") - F("quota_bytes"), output_field=_BYTES),
    }
