"""The "Import usage" admin page, and the read-only list of every import (command or upload).

The page runs the same service as ``manage.py import_usage``: same parsers, same checks, all or nothing.
Only infrastructure admins (who may add usage samples) can upload; the list of imports is there for anyone
allowed to view it, and nobody edits or deletes it: it is the audit trail of what came in.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.admin.base import ReadOnlyMixin, pool_text_filter
from inventory.importers import FORMATS
from inventory.models import StoragePool, UsageImport
from inventory.moments import parse_moment
from inventory.services.usage_import import import_usage_file

#: Who may import: the permission infrastructure admins hold (and allocation managers do not).
IMPORT_PERMISSION = "inventory.add_usagesample"


class PoolChoiceField(forms.ModelChoiceField):
    """Pools by the slug reports use, with the array and pool name for recognition."""

    def label_from_instance(self, obj):
        return f"{obj.slug} ({obj})"


class UsageImportForm(forms.Form):
    """What an upload needs: the report, its format, and what the format leaves open."""

    report = forms.FileField(label=_("Report file"))
    format = forms.ChoiceField(label=_("Format"), choices=[(name, fmt.label) for name, fmt in FORMATS.items()])
    pool = PoolChoiceField(
        label=_("Pool"),
        queryset=StoragePool.objects.select_related("array").order_by("slug"),
        to_field_name="slug",
        required=False,
        help_text=_("Required for lfs, oceanstor and pacific reports, whose records do not name their pool."),
    )
    quota_trees = forms.FileField(
        label=_("Quota-trees file"),
        required=False,
        help_text=_("OceanStor only: the QUOTATREE response, so that quotas match allocations by tree name."),
    )
    measured_at = forms.CharField(
        label=_("Measured at"),
        required=False,
        help_text=(
            _(
                "For lfs, oceanstor and pacific reports, which carry no moment: ISO 8601 with a time zone, "
                "e.g. 2026-11-28T00:00:00Z. Empty means now."
            )
        ),
    )
    dry_run = forms.BooleanField(label=_("Dry run (check only, write nothing)"), required=False)

    def clean_measured_at(self) -> datetime.datetime | None:
        text = self.cleaned_data["measured_at"].strip()
        if not text:
            return None
        try:
            return parse_moment(text)
        except ValueError as error:
            raise forms.ValidationError(f"{error}.") from None

    def clean(self):
        cleaned = super().clean()
        fmt = FORMATS.get(cleaned.get("format") or "")
        if fmt is not None and cleaned.get("quota_trees") and not fmt.takes_quota_trees:
            self.add_error(
                "quota_trees", gettext("A quota-trees file applies to OceanStor DeviceManager reports only.")
            )
        if fmt is not None and not fmt.names_pool and not cleaned.get("pool") and "pool" not in self.errors:
            self.add_error(
                "pool", gettext("%(format)s reports do not name their pool: choose one.") % {"format": fmt.label}
            )
        return cleaned


@admin.register(UsageImport)
class UsageImportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every usage import, newest first; read-only. The "Import usage" page hangs off this list."""

    change_list_template = "admin/inventory/usageimport/change_list.html"
    list_display = (
        "created_at",
        "file_name",
        "format",
        "pool",
        "outcome",
        "records",
        "added",
        "skipped",
        "drift_warnings",
        "error_count",
        "user",
    )
    list_filter = ("outcome", "format", pool_text_filter())
    list_select_related = ("pool__array", "user")
    search_fields = ("file_name",)
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "user",
        "file_name",
        "format",
        "pool",
        "outcome",
        "records",
        "added",
        "skipped",
        "drift_warnings",
        "error_count",
        "message_list",
    )
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("messages"))
    def message_list(self, obj):
        if not obj.messages:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((m,) for m in obj.messages)))

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="inventory_usageimport_import",
            )
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a report: on errors list them all (nothing written); on success, the counts and drift."""
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        outcome = None
        if request.method == "POST":
            form = UsageImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                pool = data.get("pool")
                outcome = import_usage_file(
                    path_or_file=data["report"],
                    file_name=data["report"].name,
                    format=data["format"],
                    pool_slug=pool.slug if pool else None,
                    quota_trees=data.get("quota_trees"),
                    measured_at=data.get("measured_at"),
                    dry_run=data["dry_run"],
                    user=request.user,
                )
        else:
            form = UsageImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import usage"),
            "opts": self.model._meta,
            "form": form,
            "outcome": outcome,
            "history_url": reverse("admin:inventory_usageimport_changelist"),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/inventory/usageimport/import.html", context)
