"""Filters for the lists, shared by each page and its CSV export (NetBox style).

Each FilterSet works on the annotated queryset a selector builds (allocated, used,
percentages, growth come from SQL), so a page and its download show exactly the
same rows in the same order. ``sort`` takes a column name, ``-name`` for descending;
empty values (no usage yet) always sort last.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.forms import CheckboxInput, TextInput
from django.utils.translation import gettext_lazy as _

from inventory import thresholds
from inventory.models import Allocation, ResearchProject, Team, TeamMembership
from inventory.storage_search import pool_condition


class SortFilter(django_filters.OrderingFilter):
    """An OrderingFilter that keeps NULLs last both ways and ends with a tiebreak for stable pages."""

    def __init__(self, *args, tiebreak=("pk",), **kwargs):
        self.tiebreak = tuple(tiebreak)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            if name.startswith("-"):
                ordering.append(F(name[1:]).desc(nulls_last=True))
            else:
                ordering.append(F(name).asc(nulls_last=True))
        return qs.order_by(*ordering, *self.tiebreak)


class SearchInput(TextInput):
    input_type = "search"


def _search(queryset, value: str, fields: tuple[str, ...]):
    """Rows where every word of *value* appears (case-insensitive) in at least one of *fields*."""
    for word in value.split()[:8]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


class TeamFilter(django_filters.CharFilter):
    """A team typed in a text box: its slug picks exactly that team, anything else the teams whose
    name or slug holds every word (case-insensitive).

    A text box rather than a ``<select>``: at national scale (6,000 teams) the select's options
    alone dominated every list page's rendering (bench/ANALYSIS.md). ``?team=<slug>`` links keep meaning exactly
    that team, even when its slug is also part of other teams' names. One SQL condition (the slug
    check is an uncorrelated subquery, run once), so no extra query.
    """

    def __init__(self, *args, team_path: str = "team", **kwargs):
        self.team_path = team_path
        kwargs.setdefault("label", _("Team"))
        kwargs.setdefault("widget", SearchInput(attrs={"placeholder": _("Team name or slug")}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        path = self.team_path
        by_words = Q()
        for word in value.split()[:8]:
            by_words &= Q(**{f"{path}__name__icontains": word}) | Q(**{f"{path}__slug__icontains": word})
        slug_exists = Exists(Team.objects.filter(slug=value))
        return qs.filter(Q(**{f"{path}__slug": value}) | (~slug_exists & by_words))


class PoolFilter(django_filters.CharFilter):
    """A pool typed in a text box (inventory.storage_search): its slug picks exactly that pool, anything
    else the pools whose name, slug or array name holds every word. Never a ``<select>`` of every pool."""

    def __init__(self, *args, pool_path: str = "pool", **kwargs):
        self.pool_path = pool_path
        kwargs.setdefault("label", _("Pool"))
        kwargs.setdefault("widget", SearchInput(attrs={"placeholder": _("Pool or array name")}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        return qs.filter(pool_condition(value, self.pool_path)) if value else qs


def _member_of(user, team_ref: str = "pk"):
    """A subquery: *user* belongs to the team at ``team_ref`` (Exists avoids duplicate rows)."""
    return Exists(TeamMembership.objects.filter(team=OuterRef(team_ref), user=user))


class _MineMixin:
    """``mine=on``: only what belongs to the signed-in user's teams."""

    team_ref = "pk"

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(self.mine_condition(user))

    def mine_condition(self, user):
        return _member_of(user, self.team_ref)


class TeamFilterSet(_MineMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=SearchInput)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my teams"), widget=CheckboxInput)
    sort = SortFilter(
        fields=(
            ("sort_name", "name"),  # lower-cased name, aliased by the team selector
            ("project_count", "projects"),
            ("allocated_bytes", "allocated"),
            ("used_bytes", "used"),
            ("used_percent", "percent"),
            ("over_quota_count", "over"),
            ("growth_7_bytes", "growth7"),
            ("growth_30_bytes", "growth30"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Team
        fields = []

    def filter_q(self, queryset, name, value):
        return _search(queryset, value, ("name", "slug", "institution__name", "institution__short_name"))


class ProjectFilterSet(_MineMixin, django_filters.FilterSet):
    team_ref = "team"

    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=SearchInput)
    status = django_filters.ChoiceFilter(choices=ResearchProject.Status.choices, empty_label=_("Any status"))
    team = TeamFilter(team_path="team")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my projects"), widget=CheckboxInput)
    sort = SortFilter(
        fields=(
            ("code", "code"),
            ("title", "title"),
            ("team__name", "team"),
            ("principal_investigator__last_name", "pi"),
            ("status", "status"),
            ("allocated_bytes", "allocated"),
            ("used_bytes", "used"),
            ("used_percent", "percent"),
            ("over_quota_count", "over"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = ResearchProject
        fields = []

    def filter_q(self, queryset, name, value):
        return _search(
            queryset,
            value,
            (
                "code",
                "title",
                "field_of_science",
                "principal_investigator__first_name",
                "principal_investigator__last_name",
                "principal_investigator__username",
            ),
        )

    def mine_condition(self, user):
        return _member_of(user, "team") | Q(principal_investigator=user)


class AllocationFilterSet(_MineMixin, django_filters.FilterSet):
    team_ref = "project__team"

    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=SearchInput)
    status = django_filters.ChoiceFilter(choices=Allocation.Status.choices, empty_label=_("Any status"))
    pool = PoolFilter()
    team = TeamFilter(team_path="project__team")
    state = django_filters.ChoiceFilter(
        choices=thresholds.STATE_CHOICES, method="filter_state", label=_("Threshold"), empty_label=_("Any threshold")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my teams'"), widget=CheckboxInput)
    sort = SortFilter(
        fields=(
            ("project__code", "project"),
            ("project__team__name", "team"),
            ("pool__name", "pool"),
            ("status", "status"),
            ("quota_bytes", "quota"),
            ("used_bytes", "used"),
            ("used_percent", "percent"),
            ("end_date", "ends"),
            ("usage_measured_at", "measured"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Allocation
        fields = []

    def filter_q(self, queryset, name, value):
        return _search(
            queryset,
            value,
            ("project__code", "project__title", "project__team__name", "pool__name", "pool__slug", "quota_id"),
        )

    def filter_state(self, queryset, name, value):
        # Each allocation against its own pool's thresholds, decided in SQL.
        return queryset.alias(threshold_state_value=thresholds.threshold_state_expression()).filter(
            threshold_state_value=value
        )
