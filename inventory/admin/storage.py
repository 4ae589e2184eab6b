"""Sites, storage arrays and pools in the admin, with their capacity figures computed in SQL."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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

    @admin.display(description=_("arrays"), ordering="array_total")
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


_not_reporting_display = admin.display(description=_("not reporting"), ordering="not_reporting_count")(_not_reporting)


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
        (_("Capacity"), {"fields": ("raw_bytes", "usable_bytes", "capacity_summary")}),
        (
            _("Lifecycle"),
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

    @admin.display(description=_("raw"), ordering="raw_bytes")
    def raw_display(self, obj):
        return capacity(obj.raw_bytes)

    @admin.display(description=_("usable"), ordering="usable_bytes")
    def usable_display(self, obj):
        return capacity(obj.usable_bytes)

    @admin.display(description=_("in pools"), ordering="pooled_total")
    def pooled_display(self, obj):
        return capacity(obj.pooled_total)

    @admin.display(description=_("allocated"), ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description=_("allocated ÷ allowed"), ordering="allocated_percent")
    def allocated_percent_display(self, obj):
        return percent(obj.allocated_percent)

    @admin.display(description=_("used"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description=_("used ÷ usable"), ordering="used_percent")
    def used_percent_display(self, obj):
        return percent(obj.used_percent)

    not_reporting_display = _not_reporting_display

    @admin.display(description=_("summary"))
    def capacity_summary(self, obj):
        if obj is None or obj.pk is None or not hasattr(obj, "pooled_total"):
            return gettext("Shown once the array is saved.")
        return _summary(
            [
                (_("Raw"), obj.raw_bytes, "bytes"),
                (_("Usable"), obj.usable_bytes, "bytes"),
                (_("In pools"), obj.pooled_total, "bytes"),
                (_("Not in any pool"), obj.usable_bytes - obj.pooled_total, "bytes"),
                (_("Allowed (its pools' capacity × maximum oversubscription)"), obj.allowed_total, "bytes"),
                (_("Allocated (active quotas)"), obj.allocated_bytes, "bytes"),
                (_("Allocated ÷ allowed"), obj.allocated_percent, "percent"),
                (_("Used (logical)"), obj.used_bytes, "bytes"),
                (_("Active allocations not reporting"), obj.not_reporting_count, "text"),
                (_("Used (physical, or logical where not reported)"), obj.physical_used_bytes, "bytes"),
                (_("Used ÷ usable"), obj.used_percent, "percent"),
                (_("Free (usable − physical used)"), obj.free_bytes, "bytes"),
                (_("Oversubscription (allocated ÷ usable)"), ratio(obj.oversubscription), "text"),
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
            _("Capacity"),
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
        (_("Notes"), {"fields": ("notes",)}),
        (_("Allocations"), {"fields": ("allocations_link",)}),
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

    @admin.display(description=_("allocations"))
    def allocations_link(self, obj):
        if obj is None or obj.pk is None:
            return gettext("Shown once the pool is saved.")
        url = reverse("admin:inventory_allocation_changelist") + "?" + urlencode({"pool": obj.slug})
        link = format_html('<a href="{}">{}</a>', url, gettext("The allocations on this pool"))
        if not self._has_many_allocations(obj):
            return link
        return format_html(
            gettext("{} (more than {}: too many to edit on this page, open one to edit it)"),
            link,
            self.max_inline_allocations,
        )

    def get_queryset(self, request):
        # A grouped query drops the model's default ordering; the autocomplete pages through this queryset.
        figures = super().get_queryset(request).annotate(**pool_figures()).annotate(**pool_ratios())
        return figures.order_by("array__name", "name", "pk")

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        save_pool(pool=obj)

    @admin.display(description=_("status"), ordering="array__lifecycle_status")
    def status_display(self, obj):
        """A pool is in service as long as its array is: the array's lifecycle status."""
        return obj.array.get_lifecycle_status_display()

    @admin.display(description=_("capacity"), ordering="capacity_bytes")
    def capacity_display(self, obj):
        return capacity(obj.capacity_bytes)

    @admin.display(description=_("allocated"), ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description=_("allocated ÷ allowed"), ordering="allocated_percent")
    def allocated_percent_display(self, obj):
        return percent(obj.allocated_percent)

    @admin.display(description=_("used"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description=_("used ÷ capacity"), ordering="used_percent")
    def used_percent_display(self, obj):
        return percent(obj.used_percent)

    @admin.display(description=_("free"), ordering="free_bytes")
    def free_display(self, obj):
        return capacity(obj.free_bytes)

    not_reporting_display = _not_reporting_display

    @admin.display(description=_("summary"))
    def capacity_summary(self, obj):
        if obj is None or obj.pk is None or not hasattr(obj, "allocated_bytes"):
            return gettext("Shown once the pool is saved.")
        return _summary(
            [
                (_("Array raw"), obj.array.raw_bytes, "bytes"),
                (_("Array usable"), obj.array.usable_bytes, "bytes"),
                (_("Capacity (usable)"), obj.capacity_bytes, "bytes"),
                (_("Allowed (capacity × maximum oversubscription)"), obj.allowed_total, "bytes"),
                (_("Allocated (active quotas)"), obj.allocated_bytes, "bytes"),
                (_("Allocated ÷ allowed"), obj.allocated_percent, "percent"),
                (_("Used (logical)"), obj.used_bytes, "bytes"),
                (_("Active allocations not reporting"), obj.not_reporting_count, "text"),
                (_("Used (physical, or logical where not reported)"), obj.physical_used_bytes, "bytes"),
                (_("Data reduction (where reported)"), ratio(obj.data_reduction), "text"),
                (_("Used ÷ capacity"), obj.used_percent, "percent"),
                (_("Free (capacity − physical used)"), obj.free_bytes, "bytes"),
                (_("Oversubscription (allocated ÷ capacity)"), ratio(obj.oversubscription), "text"),
                (_("Maximum oversubscription"), ratio(obj.max_oversubscription), "text"),
            ]
        )
