"""Usage samples in the admin: kept for corrections (change, delete), not for typing usage in.

Usage comes from the storage systems' reports (imports, collectors, the API), so the history is not on
the admin index and has no "add" page; each allocation's admin page links to its samples. Unit
preferences are not in the admin at all: each user sets theirs with the header's toggle.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inventory.admin.base import (
    DatabaseRulesAdmin,
    EstimatedCountPaginator,
    RecentListFilter,
    capacity,
    pool_text_filter,
)
from inventory.admin.forms import RulesForm
from inventory.importers import FORMATS
from inventory.models import UsageSample
from inventory.services.usage import delete_usage_samples, save_usage_sample

#: What ``seed_demo`` writes as the source of its samples (demo/scenario.py).
DEMO_SOURCE = "demo"


class MeasuredListFilter(RecentListFilter):
    title = _("measured")
    parameter_name = "measured"
    field_name = "measured_at"


class SourceListFilter(admin.SimpleListFilter):
    """The report format a sample came from; the choices are known, so no SELECT DISTINCT over the history."""

    title = _("source")
    parameter_name = "source"
    #: Samples typed in this admin may leave the source empty.
    NONE = "-"

    def lookups(self, request, model_admin):
        return [
            *((name, name) for name in FORMATS),
            (DEMO_SOURCE, _("demo data (seed_demo)")),
            (self.NONE, _("none given")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(source="" if value == self.NONE else value)


@admin.register(UsageSample)
class UsageSampleAdmin(DatabaseRulesAdmin):
    """The usage history: the biggest table, so nothing on the page reads all of it.

    No ``date_hierarchy`` and no ``list_filter`` on a field (each runs a SELECT DISTINCT over
    the whole history); the list's order is an index (``sample_measured_at_id``); the total of
    the unfiltered list is PostgreSQL's estimate.
    """

    form = RulesForm
    list_display = (
        "allocation",
        "measured_at",
        "used_display",
        "physical_used_display",
        "file_count",
        "soft_limit_display",
        "hard_limit_display",
        "source",
    )
    list_filter = (MeasuredListFilter, SourceListFilter, pool_text_filter("allocation__pool"))
    list_select_related = ("allocation__project", "allocation__pool")
    search_fields = ("allocation__project__code", "allocation__pool__slug", "allocation__quota_id")
    autocomplete_fields = ("allocation",)
    readonly_fields = ("usage_import",)

    def get_model_perms(self, request):
        # Not on the admin index (an empty dict hides a model there); its pages stay for corrections.
        return {}

    def has_add_permission(self, request):
        # Usage comes from reports, never from typing (README, "Importing usage").
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: the allocation's latest usage and the daily rollups follow the sample.
        save_usage_sample(sample=obj)

    def delete_model(self, request, obj):
        delete_usage_samples(samples=UsageSample.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        delete_usage_samples(samples=queryset)

    # COUNT(*) over the whole history on every page is the slow part of a big changelist.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Rendering cost grows with the rows shown: 50 keep the page within its target (bench/ANALYSIS.md).
    list_per_page = 50

    @admin.display(description=_("used (logical)"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description=_("used (physical)"), ordering="physical_used_bytes")
    def physical_used_display(self, obj):
        return capacity(obj.physical_used_bytes)

    @admin.display(description=_("soft limit"), ordering="soft_limit_bytes")
    def soft_limit_display(self, obj):
        return capacity(obj.soft_limit_bytes)

    @admin.display(description=_("hard limit"), ordering="hard_limit_bytes")
    def hard_limit_display(self, obj):
        return capacity(obj.hard_limit_bytes)
