"""Requests in the admin: read-only records with their history (decisions go through the queue's services)."""

from django.contrib import admin

from approvals.models import AllocationRequest
from inventory.admin.base import HistoryAdmin, ReadOnlyMixin


@admin.register(AllocationRequest)
class AllocationRequestAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only; HistoryAdmin refuses malformed history URLs and reverting (decisions go through the queue)."""

    list_display = (
        "__str__",
        "kind",
        "status",
        "quota_bytes",
        "end_date",
        "requested_by",
        "requested_at",
        "decided_by",
    )
    list_filter = ("status", "kind")
    list_select_related = ("allocation__project", "allocation__pool__array", "requested_by", "decided_by")
    search_fields = ("allocation__project__code", "justification", "decision_reason")
    date_hierarchy = "requested_at"

    def has_delete_permission(self, request, obj=None):
        return False
