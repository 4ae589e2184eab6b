"""Sites, storage arrays and pools in the admin, with their capacity figures computed in SQL."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from inventory.admin.annotations import array_figures, array_ratios, pool_figures, pool_ratios
from inventory.admin.base import (
    AllocationInlineMixin,
    DatabaseRulesAdmin,
    FiguresAdminMixin,
    HistoryAdmin,
    ServiceFormsetMixin,
    capacity,
    ratio,
)
from inventory.admin.forms import (
    AllocationInlineForm,
    AllocationInlineFormSet,
    PoolInlineForm,
    PoolInlineFormSet,
    RulesForm,
    StorageArrayForm,
    StoragePoolForm,
)
from inventory.models import Allocation, Site, StorageArray, StoragePool
from inventory.services.storage import save_array, save_pool
from inventory.templatetags.capacity import percent


@admin.register(Site)
class SiteAdmin(DatabaseRulesAdmin):
    form = RulesForm
    list_display = ("name", "city", "country", "array_count")
    search_fields = ("name", "slug", "city", "country")
    list_filter = ("country",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(array_total=Count("arrays"))

    @admin.display(description="arrays", ordering="array_total")
    def array_count(self, obj):
        return obj.array_total


class PoolInline(admin.TabularInline):
    model = StoragePool
    form = PoolInlineForm
    formset = PoolInlineFormSet
    fields = (
        "name",
        "slug",
        "tier",
        "capacity_bytes",
        "max_oversubscription",
        "warning_threshold",
        "critical_threshold",
    )
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("array")


def _not_reporting(_admin, obj) -> int:
    return obj.not_reporting_count


_not_reporting_display = admin.display(description="not reporting", ordering="not_reporting_count")(_not_reporting)


def _summary(rows) -> str:
    return render_to_string("admin/inventory/capacity_summary.html", {"rows": rows})


@admin.register(StorageArray)
class StorageArrayAdmin(ServiceFormsetMixin, FiguresAdminMixin, HistoryAdmin):
    form = StorageArrayForm
    inlines = (PoolInline,)
    list_display = (
        "name",
        "site",
        "vendor",
        "model",
        "media_type",
        "lifecycle_status",
        "raw_display",
        "usable_display",
        "pooled_display",
        "allocated_display",
        "allocated_percent_display",
        "used_display",
        "used_percent_display",
        "not_reporting_display",
    )
    list_filter = ("lifecycle_status", "media_type", "site", "vendor")
    list_select_related = ("site",)
    search_fields = ("name", "slug", "serial_number", "vendor", "model")
    autocomplete_fields = ("site",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("capacity_summary",)
    fieldsets = (
        (None, {"fields": ("site", "name", "slug", "vendor", "model", "serial_number", "media_type")}),
        ("Capacity", {"fields": ("raw_bytes", "usable_bytes", "capacity_summary")}),
        (
            "Lifecycle",
            {
                "fields": (
                    "lifecycle_status",
                    "firmware_version",
                    "commissioned_on",
                    "support_ends_on",
                    "management_url",
                    "notes",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**array_figures()).annotate(**array_ratios())

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        save_array(array=obj)

    @admin.display(description="raw", ordering="raw_bytes")
    def raw_display(self, obj):
        return capacity(obj.raw_bytes)

    @admin.display(description="usable", ordering="usable_bytes")
    def usable_display(self, obj):
        return capacity(obj.usable_bytes)

    @admin.display(description="in pools", ordering="pooled_total")
    def pooled_display(self, obj):
        return capacity(obj.pooled_total)

    @admin.display(description="allocated", ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description="allocated ÷ allowed", ordering="allocated_percent")
    def allocated_percent_display(self, obj):
        return percent(obj.allocated_percent)

    @admin.display(description="used", ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description="used ÷ usable", ordering="used_percent")
    def used_percent_display(self, obj):
        return percent(obj.used_percent)

    not_reporting_display = _not_reporting_display

    @admin.display(description="summary")
    def capacity_summary(self, obj):
        if obj is None or obj.pk is None or not hasattr(obj, "pooled_total"):
            return "Shown once the array is saved."
        return _summary(
            [
                ("Raw", obj.raw_bytes, "bytes"),
                ("Usable", obj.usable_bytes, "bytes"),
                ("In pools", obj.pooled_total, "bytes"),
                ("Not in any pool", obj.usable_bytes - obj.pooled_total, "bytes"),
                ("Allowed (its pools' capacity × maximum oversubscription)", obj.allowed_total, "bytes"),
                ("Allocated (active quotas)", obj.allocated_bytes, "bytes"),
                ("Allocated ÷ allowed", obj.allocated_percent, "percent"),
                ("Used (logical)", obj.used_bytes, "bytes"),
                ("Active allocations not reporting", obj.not_reporting_count, "text"),
                ("Used (physical, or logical where not reported)", obj.physical_used_bytes, "bytes"),
                ("Used ÷ usable", obj.used_percent, "percent"),
                ("Free (usable − physical used)", obj.free_bytes, "bytes"),
                ("Oversubscription (allocated ÷ usable)", ratio(obj.oversubscription), "text"),
            ]
        )


class PoolAllocationInline(AllocationInlineMixin, admin.TabularInline):
    """The allocations on a pool, quotas in units."""

    model = Allocation
    fk_name = "pool"
    form = AllocationInlineForm
    formset = AllocationInlineFormSet
    fields = ("project", "status", "quota_bytes", "start_date", "end_date", "quota_id", "used_bytes")
    readonly_fields = ("used_bytes",)
    autocomplete_fields = ("project",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "pool")


@admin.register(StoragePool)
class StoragePoolAdmin(ServiceFormsetMixin, FiguresAdminMixin, HistoryAdmin):
    form = StoragePoolForm
    inlines = (PoolAllocationInline,)
    # Status and the figures first (capacity, used, percentages), then where and what kind.
    list_display = (
        "name",
        "status_display",
        "capacity_display",
        "used_display",
        "used_percent_display",
        "allocated_display",
        "allocated_percent_display",
        "free_display",
        "not_reporting_display",
        "array",
        "tier",
        "max_oversubscription",
    )
    list_filter = ("tier", "open_for_requests", "array__site", "array")
    list_select_related = ("array",)
    search_fields = ("name", "slug", "array__name")
    autocomplete_fields = ("array",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("capacity_summary", "allocations_link")
    #: Above this many allocations the pool's page links to them instead of listing them as
    #: inline forms: at national scale a pool holds thousands, which made the page slow and heavy, and
    #: the form could no longer be saved: Django refuses a POST of over 1,000 fields.
    max_inline_allocations = 50
    fieldsets = (
        (None, {"fields": ("array", "name", "slug", "tier", "protocols", "system_name", "open_for_requests")}),
        (
            "Capacity",
            {
                "fields": (
                    "capacity_bytes",
                    "max_oversubscription",
                    "warning_threshold",
                    "critical_threshold",
                    "capacity_summary",
                )
            },
        ),
        ("Notes", {"fields": ("notes",)}),
        ("Allocations", {"fields": ("allocations_link",)}),
    )

    def get_inlines(self, request, obj):
        if obj is not None and self._has_many_allocations(obj):
            return ()
        return super().get_inlines(request, obj)

    def _has_many_allocations(self, obj) -> bool:
        if not hasattr(obj, "_many_allocations"):
            # LIMIT: counts at most one past the threshold, however big the pool.
            obj._many_allocations = obj.allocations.order_by()[: self.max_inline_allocations + 1].count() > (
                self.max_inline_allocations
            )
        return obj._many_allocations

    @admin.display(description="allocations")
    def allocations_link(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once the pool is saved."
        url = reverse("admin:inventory_allocation_changelist") + "?" + urlencode({"pool": obj.slug})
        link = format_html('<a href="{}">The allocations on this pool</a>', url)
        if not self._has_many_allocations(obj):
            return link
        return format_html(
            "{} (more than {}: too many to edit on this page, open one to edit it)", link, self.max_inline_allocations
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**pool_figures()).annotate(**pool_ratios())

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        save_pool(pool=obj)

    @admin.display(description="status", ordering="array__lifecycle_status")
    def status_display(self, obj):
        """A pool is in service as long as its array is: the array's lifecycle status."""
        return obj.array.get_lifecycle_status_display()

    @admin.display(description="capacity", ordering="capacity_bytes")
    def capacity_display(self, obj):
        return capacity(obj.capacity_bytes)

    @admin.display(description="allocated", ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description="allocated ÷ allowed", ordering="allocated_percent")
    def allocated_percent_display(self, obj):
        return percent(obj.allocated_percent)

    @admin.display(description="used", ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description="used ÷ capacity", ordering="used_percent")
    def used_percent_display(self, obj):
        return percent(obj.used_percent)

    @admin.display(description="free", ordering="free_bytes")
    def free_display(self, obj):
        return capacity(obj.free_bytes)

    not_reporting_display = _not_reporting_display

    @admin.display(description="summary")
    def capacity_summary(self, obj):
        if obj is None or obj.pk is None or not hasattr(obj, "allocated_bytes"):
            return "Shown once the pool is saved."
        return _summary(
            [
                ("Array raw", obj.array.raw_bytes, "bytes"),
                ("Array usable", obj.array.usable_bytes, "bytes"),
                ("Capacity (usable)", obj.capacity_bytes, "bytes"),
                ("Allowed (capacity × maximum oversubscription)", obj.allowed_total, "bytes"),
                ("Allocated (active quotas)", obj.allocated_bytes, "bytes"),
                ("Allocated ÷ allowed", obj.allocated_percent, "percent"),
                ("Used (logical)", obj.used_bytes, "bytes"),
                ("Active allocations not reporting", obj.not_reporting_count, "text"),
                ("Used (physical, or logical where not reported)", obj.physical_used_bytes, "bytes"),
                ("Data reduction (where reported)", ratio(obj.data_reduction), "text"),
                ("Used ÷ capacity", obj.used_percent, "percent"),
                ("Free (capacity − physical used)", obj.free_bytes, "bytes"),
                ("Oversubscription (allocated ÷ capacity)", ratio(obj.oversubscription), "text"),
                ("Maximum oversubscription", ratio(obj.max_oversubscription), "text"),
            ]
        )
