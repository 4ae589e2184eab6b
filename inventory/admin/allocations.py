"""Allocations in the admin: quotas in units, usage and drift computed in SQL, approval and expiry actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from inventory.admin.annotations import allocation_figures
from inventory.admin.base import (
    ArrayTextFilter,
    HistoryAdmin,
    StartedListFilter,
    can_approve,
    capacity,
    pool_text_filter,
    refusal_from,
    signed_capacity,
)
from inventory.admin.forms import AllocationForm
from inventory.models import Allocation
from inventory.services.allocations import approve_allocation, expire_allocations, save_allocation
from inventory.services.conflicts import retry_on_conflict
from inventory.templatetags.capacity import percent


class QuotaDriftFilter(admin.SimpleListFilter):
    """Allocations whose storage system enforces another hard limit than the quota promised."""

    title = _("quota drift")
    parameter_name = "drift"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        drifting = Q(enforced_quota_bytes__isnull=False) & ~Q(enforced_quota_bytes=F("quota_bytes"))
        if self.value() == "yes":
            return queryset.filter(drifting)
        if self.value() == "no":
            return queryset.exclude(drifting)
        return queryset


@admin.register(Allocation)
class AllocationAdmin(HistoryAdmin):
    form = AllocationForm
    # What an allocation is about first (status, quota, used, percentage), then where and when.
    list_display = (
        "__str__",
        "status",
        "quota_display",
        "used_display",
        "used_percent_display",
        "drift_display",
        "project",
        "pool",
        "start_date",
        "end_date",
        "approved_by",
    )
    # No date_hierarchy: its SELECT DISTINCT DATE_TRUNC and MIN/MAX read every allocation on each view.
    list_filter = ("status", StartedListFilter, QuotaDriftFilter, "pool__tier", ArrayTextFilter, pool_text_filter())
    list_select_related = ("project", "pool", "pool__array", "approved_by")
    search_fields = ("project__code", "project__title", "pool__name", "pool__slug", "quota_id")
    autocomplete_fields = ("project", "pool", "requested_by")
    # 13 columns a row: half a page of them halves the rendering time.
    list_per_page = 50
    actions = ("approve_selected", "expire_past_end_date")
    readonly_fields = (
        "approved_by",
        "approved_at",
        "used_display",
        "physical_used_display",
        "file_count",
        "usage_measured_at",
        "enforced_display",
        "enforced_quota_seen_at",
        "drift_display",
        "created_at",
        "samples_link",
    )
    fieldsets = (
        (None, {"fields": ("project", "pool", "status", "quota_bytes", "quota_id", "start_date", "end_date")}),
        (_("Request"), {"fields": ("requested_by", "justification", "approved_by", "approved_at", "created_at")}),
        (
            _("Latest usage (from the imports)"),
            {
                "fields": (
                    "used_display",
                    "physical_used_display",
                    "file_count",
                    "usage_measured_at",
                    "enforced_display",
                    "enforced_quota_seen_at",
                    "drift_display",
                    "samples_link",
                )
            },
        ),
    )

    def get_queryset(self, request):
        # An allocation's name is its project's code and its pool's name: fetch them with it everywhere,
        # not only in the list (the autocomplete of the usage-sample form ran a query per result). The
        # list applies list_select_related only to a queryset without select_related, so name them all.
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return queryset.annotate(**allocation_figures())

    def save_model(self, request, obj, form, change):
        # Activating through the form is an approval too: the service records who and when.
        obj._history_user = request.user
        save_allocation(allocation=obj, user=request.user)

    @admin.display(description=_("quota"), ordering="quota_bytes")
    def quota_display(self, obj):
        return capacity(obj.quota_bytes)

    @admin.display(description=_("used"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description=_("used (physical)"), ordering="physical_used_bytes")
    def physical_used_display(self, obj):
        return capacity(obj.physical_used_bytes)

    @admin.display(description=_("used ÷ quota"), ordering="used_percent")
    def used_percent_display(self, obj):
        return percent(getattr(obj, "used_percent", None))

    @admin.display(description=_("enforced hard limit"), ordering="enforced_quota_bytes")
    def enforced_display(self, obj):
        return capacity(obj.enforced_quota_bytes)

    @admin.display(description=_("drift"), ordering="drift")
    def drift_display(self, obj):
        """Enforced hard limit minus quota, e.g. "+10.0 TB"; "—" when they agree or nothing was reported."""
        return signed_capacity(obj.quota_drift_bytes)

    @admin.display(description=_("usage samples"))
    def samples_link(self, obj):
        """The way to this allocation's samples (for corrections): the history is not on the admin index."""
        if obj is None or obj.pk is None:
            return gettext("Shown once the allocation is saved.")
        url = reverse("admin:inventory_usagesample_changelist") + "?" + urlencode({"allocation__id__exact": obj.pk})
        return format_html('<a href="{}">{}</a>', url, gettext("The usage samples reported for this allocation"))

    # -- actions -----------------------------------------------------------------
    def has_approve_permission(self, request):
        return can_approve(request)

    @admin.action(description=_("Approve selected requested allocations"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        approved, refused = [], []
        for allocation in queryset.select_related("project", "pool", "pool__array"):
            try:
                retry_on_conflict(lambda a=allocation: approve_allocation(allocation=a, approved_by=request.user))
            except ValidationError as error:
                refused.append(f"{allocation}: {' '.join(error.messages)}")
            except IntegrityError as error:
                # Another admin filled the pool at the same moment; the trigger refused it.
                refused.append(f"{allocation}: {refusal_from(error).message}")
            else:
                approved.append(str(allocation))
        if approved:
            self.message_user(
                request,
                ngettext(
                    "Approved %(count)d allocation: %(names)s.",
                    "Approved %(count)d allocations: %(names)s.",
                    len(approved),
                )
                % {"count": len(approved), "names": ", ".join(approved)},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, gettext("No allocation was approved."), messages.WARNING)
        for reason in refused:
            self.message_user(request, gettext("Not approved: %(reason)s") % {"reason": reason}, messages.ERROR)

    @admin.action(description=_("Expire allocations past their end date"), permissions=["change"])
    def expire_past_end_date(self, request, queryset):
        # A plain queryset: the changelist's joins (nullable approved_by) cannot be locked FOR UPDATE.
        expired = expire_allocations(queryset=Allocation.objects.filter(pk__in=queryset.values("pk")))
        if expired:
            text = ngettext(
                "Expired %(count)d allocation past their end date.",
                "Expired %(count)d allocations past their end date.",
                expired,
            ) % {"count": expired}
        else:
            text = gettext(
                "Expired 0 allocations past their end date (none of the selected was active and past its end date)."
            )
        self.message_user(request, text, messages.SUCCESS if expired else messages.WARNING)
