"""Reads for the institution pages: each institution's teams, projects and figures, in SQL (one query)."""

from __future__ import annotations

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from dashboard.selectors.subqueries import subquery_count
from inventory import figures
from inventory.models import Institution, ResearchProject, Team
from inventory.thresholds import used_percent_expression


def _count(queryset: QuerySet, group: str):
    counted = queryset.order_by().values(group).annotate(n=subquery_count()).values("n")
    return Coalesce(Subquery(counted, output_field=BigIntegerField()), Value(0))


def institution_rows() -> QuerySet[Institution]:
    """Institutions with teams, projects, allocated, used, not reporting (inventory.figures) and % used."""
    return (
        Institution.objects.annotate(
            team_count=_count(Team.objects.filter(institution=OuterRef("pk")), "institution"),
            project_count=_count(ResearchProject.objects.filter(team__institution=OuterRef("pk")), "team__institution"),
            **figures.figure_subqueries("project__team__institution"),
        )
        .annotate(used_percent=used_percent_expression("used_bytes", "allocated_bytes"))
        # Names sort as people read them ("Simula" before "SINTEF"), as on the team list.
        .order_by(Lower("name"), "pk")
    )
