"""Aggregates for correlated subqueries.

``Sum``/``Count`` inside a Subquery make Django add a GROUP BY; these plain SQL
functions do not, so ``Model.objects.filter(x=OuterRef("pk")).annotate(total=...)``
returns exactly one row: the total over every row the filter keeps. One subquery
per figure keeps sums from multiplying across joins (projects × allocations).
"""

from django.db.models import BigIntegerField, F, Func


def subquery_sum(field: str) -> Func:
    """SUM(field): NULL when no row matches."""
    return Func(F(field), function="SUM", output_field=BigIntegerField())


def subquery_count(field: str = "pk") -> Func:
    """COUNT(field): 0 when no row matches."""
    return Func(F(field), function="COUNT", output_field=BigIntegerField())
