"""A researcher's request for storage and the decision on it (docs/domain.md, "Requests").

A request for a *new* allocation is also an Allocation with status "requested" (created by
inventory.services.allocations.create_allocation): the request row adds who asked, why, and the
decision's reason. A request for a *change* (a larger quota, a later end date, or both) points at an
active allocation and holds the new values until an allocation manager decides; approving it changes the
allocation through the same service and capacity rules as the admin.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inventory.fields import BytesField
from inventory.models import Allocation


class AllocationRequest(models.Model):
    """One request for storage on one allocation: a new allocation, or a larger quota and/or later end date."""

    class Kind(models.TextChoices):
        NEW = "new", _("New allocation")
        CHANGE = "change", _("Change")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="requests", verbose_name=_("allocation")
    )
    # What is asked for: for a new allocation, its quota and end date (as on the allocation); for a
    # change, the new quota and/or end date (empty: unchanged).
    quota_bytes = BytesField(_("requested quota"), null=True, blank=True)
    end_date = models.DateField(_("requested end date"), null=True, blank=True)
    # What the allocation had when the change was asked for, so the decision and history read "from → to".
    previous_quota_bytes = BytesField(_("quota before"), null=True, blank=True)
    previous_end_date = models.DateField(_("end date before"), null=True, blank=True)
    justification = models.TextField(verbose_name=_("justification"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True, verbose_name=_("status")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_reason = models.TextField(blank=True, verbose_name=_("decision reason"))
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("allocation requests")
        ordering = ["requested_at", "pk"]
        verbose_name = _("allocation request")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="new") | Q(quota_bytes__isnull=False) | Q(end_date__isnull=False),
                name="change_request_asks_for_something",
                violation_error_message=_("Ask for a larger quota, a later end date, or both."),
            ),
            models.CheckConstraint(
                condition=Q(quota_bytes__isnull=True) | Q(quota_bytes__gte=0),
                name="request_quota_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="decided_request_has_moment",
            ),
            # Two pending changes to one allocation would race each other: one at a time.
            models.UniqueConstraint(
                fields=["allocation"],
                condition=Q(status="pending"),
                name="one_pending_request_per_allocation",
                violation_error_message=_("This allocation already has a pending request."),
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="request_status_requested_at")]

    def __str__(self) -> str:
        return _("%(kind)s for %(allocation)s") % {"kind": self.get_kind_display(), "allocation": self.allocation}

    @property
    def state_display(self) -> str:
        """The state a requester reads: a new allocation decided elsewhere (the admin, the API) shows its status."""
        if (
            self.status == self.Status.PENDING
            and self.kind == self.Kind.NEW
            and self.allocation.status != Allocation.Status.REQUESTED
        ):
            return _("%(status)s (decided in the admin)") % {"status": self.allocation.get_status_display()}
        return self.get_status_display()
