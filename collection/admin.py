"""Admin: infrastructure admins configure collectors; runs, observations and reconciliation are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from collection.models import CapacityObservation, CollectionRun, Collector, ReconciliationItem
from inventory.admin.base import ReadOnlyMixin


@admin.register(Collector)
class CollectorAdmin(admin.ModelAdmin):
    list_display = ("array", "kind", "base_url", "username", "interval", "enabled")
    list_filter = ("kind", "enabled")
    list_select_related = ("array",)
    fieldsets = (
        (None, {"fields": ("array", "kind", "base_url", "enabled", "interval")}),
        (
            _("Login"),
            {
                "fields": ("username", "scope", "password_env", "password_file"),
                "description": _(
                    "The password is never stored here: the worker reads it from the environment "
                    "variable or the file named below when it runs."
                ),
            },
        ),
        (_("TLS and scope"), {"fields": ("verify_tls", "ca_bundle", "vstore_ids")}),
    )


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Records of collection runs: written by the collector only."""


@admin.register(CollectionRun)
class CollectionRunAdmin(ReadOnlyAdmin):
    list_display = ("array", "started_at", "finished_at", "outcome", "quota_trees", "samples_added", "unmatched")
    list_filter = ("outcome", "kind")
    list_select_related = ("array",)
    date_hierarchy = "started_at"


@admin.register(CapacityObservation)
class CapacityObservationAdmin(ReadOnlyAdmin):
    list_display = ("array", "pool", "observed_at", "total_bytes", "used_bytes", "free_bytes")
    list_select_related = ("array", "pool", "pool__array")


@admin.register(ReconciliationItem)
class ReconciliationItemAdmin(ReadOnlyAdmin):
    list_display = ("run", "kind", "pool", "name_on_system", "reported_bytes", "promised_bytes")
    list_filter = ("kind",)
    list_select_related = ("run__array", "pool__array")


def _without_the_job_queue_admin() -> None:
    """procrastinate's own job list filters its status with raw input against a PostgreSQL enum: a bad value
    is a database error (500), not a 400. The Collectors page and the runs above show what staff need."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)


# procrastinate's app comes before this one in INSTALLED_APPS, so its admin is registered by now.
_without_the_job_queue_admin()
