"""The FilterSets of the API lists: the dashboard's own for teams, projects and allocations (one import, so
that moving that module is a one-line change here), and small ones for the storage lists, which the
dashboard shows unfiltered."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from collection.models import CollectionRun
from dashboard.filtersets import AllocationFilterSet, ProjectFilterSet, TeamFilterSet
from inventory.models import StorageArray, StoragePool, UsageImport

__all__ = [
    "AllocationFilterSet",
    "ArrayFilterSet",
    "CollectionRunFilterSet",
    "PoolFilterSet",
    "ProjectFilterSet",
    "TeamFilterSet",
    "UsageImportFilterSet",
]


class ArrayFilterSet(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__slug", label=_("Site (slug)"))
    lifecycle_status = django_filters.ChoiceFilter(choices=StorageArray.Lifecycle.choices)
    media_type = django_filters.ChoiceFilter(choices=StorageArray.MediaType.choices)

    class Meta:
        model = StorageArray
        fields = []


class PoolFilterSet(django_filters.FilterSet):
    array = django_filters.CharFilter(field_name="array__slug", label=_("Array (slug)"))
    tier = django_filters.ChoiceFilter(choices=StoragePool.Tier.choices)

    class Meta:
        model = StoragePool
        fields = []


class UsageImportFilterSet(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=UsageImport.Outcome.choices)
    format = django_filters.CharFilter()
    pool = django_filters.CharFilter(field_name="pool__slug", label=_("Pool (slug)"))

    class Meta:
        model = UsageImport
        fields = []


class CollectionRunFilterSet(django_filters.FilterSet):
    array = django_filters.CharFilter(field_name="array__slug", label=_("Array (slug)"))
    outcome = django_filters.ChoiceFilter(choices=CollectionRun.Outcome.choices)
    kind = django_filters.CharFilter()

    class Meta:
        model = CollectionRun
        fields = []
