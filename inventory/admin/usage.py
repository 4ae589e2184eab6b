"""Usage samples and unit preferences in the admin."""

from __future__ import annotations

from django.contrib import admin

from inventory.admin.base import DatabaseRulesAdmin, PoolListFilter, capacity
from inventory.admin.forms import RulesForm
from inventory.models import UnitPreference, UsageSample


@admin.register(UsageSample)
class UsageSampleAdmin(DatabaseRulesAdmin):
    """The usage history: the biggest table, so no full count and no per-row lookups."""

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
    list_filter = ("source", ("allocation__pool", PoolListFilter))
    list_select_related = ("allocation__project", "allocation__pool")
    search_fields = ("allocation__project__code", "allocation__pool__slug", "allocation__quota_id")
    autocomplete_fields = ("allocation",)
    readonly_fields = ("usage_import",)
    date_hierarchy = "measured_at"
    # COUNT(*) over the whole history on every page is the slow part of a big changelist.
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description="used (logical)", ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description="used (physical)", ordering="physical_used_bytes")
    def physical_used_display(self, obj):
        return capacity(obj.physical_used_bytes)

    @admin.display(description="soft limit", ordering="soft_limit_bytes")
    def soft_limit_display(self, obj):
        return capacity(obj.soft_limit_bytes)

    @admin.display(description="hard limit", ordering="hard_limit_bytes")
    def hard_limit_display(self, obj):
        return capacity(obj.hard_limit_bytes)


@admin.register(UnitPreference)
class UnitPreferenceAdmin(DatabaseRulesAdmin):
    form = RulesForm
    list_display = ("user", "binary")
    list_filter = ("binary",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
