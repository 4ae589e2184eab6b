"""Creating, changing, approving and expiring allocations."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from inventory.models import Allocation, ResearchProject, StoragePool
from inventory.services.capacity import check_allocation_fits
from inventory.services.usage_state import refresh_today


def save_allocation(*, allocation: Allocation, user=None) -> Allocation:
    """Validate and save an allocation (new or changed) in one transaction, under the pool's row lock.

    Making an allocation active is approving it, whatever the path (the allocation's own form, an inline
    row on a project or pool, an import of a plan): who (*user*, unless an approver is already recorded) and
    when are recorded here. A change of status or pool changes which allocations today's figures count,
    so today's rollups of its pool and team follow.
    """
    with transaction.atomic():
        before = None
        if allocation.pk:
            before = Allocation.objects.filter(pk=allocation.pk).values("status", "pool_id").first()
        becomes_active = allocation.status == Allocation.Status.ACTIVE and (
            before is None or before["status"] != Allocation.Status.ACTIVE
        )
        if becomes_active:
            if allocation.approved_by_id is None:
                if user is None:
                    raise ValidationError(
                        {"status": gettext("An allocation can only become active when someone approves it.")},
                        code="approver_missing",
                    )
                allocation.approved_by = user
            allocation.approved_at = timezone.now()
        allocation.full_clean()
        check_allocation_fits(allocation)
        allocation.save()
        if before is None or (before["status"], before["pool_id"]) != (allocation.status, allocation.pool_id):
            refresh_today(allocation_ids=[allocation.pk])
    return allocation


def create_allocation(
    *,
    project: ResearchProject,
    pool: StoragePool,
    quota_bytes: int,
    status: str = Allocation.Status.REQUESTED,
    quota_id: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    requested_by=None,
    approved_by=None,
    justification: str = "",
) -> Allocation:
    """Create an allocation; an active one must fit its pool (raises ValidationError with the numbers)."""
    allocation = Allocation(
        project=project,
        pool=pool,
        quota_bytes=quota_bytes,
        status=status,
        quota_id=quota_id,
        start_date=start_date or timezone.localdate(),
        end_date=end_date,
        requested_by=requested_by,
        justification=justification,
    )
    return save_allocation(allocation=allocation, user=approved_by)


def approve_allocation(*, allocation: Allocation, approved_by) -> Allocation:
    """Activate a requested allocation, recording who approved it and when."""
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.status != Allocation.Status.REQUESTED:
            raise ValidationError(
                gettext("%(allocation)s is %(status)s, not requested: nothing to approve.")
                % {"allocation": allocation, "status": allocation.get_status_display().lower()}
            )
        allocation.status = Allocation.Status.ACTIVE
        allocation.approved_by = approved_by
        return save_allocation(allocation=allocation, user=approved_by)


def deny_allocation(*, allocation: Allocation, denied_by) -> Allocation:
    """Deny a requested allocation (under its row lock); anything but a request cannot be denied."""
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.status != Allocation.Status.REQUESTED:
            raise ValidationError(
                {
                    "status": gettext("%(allocation)s is %(status)s, not requested: nothing to deny.")
                    % {"allocation": allocation, "status": allocation.get_status_display().lower()}
                }
            )
        allocation.status = Allocation.Status.DENIED
        allocation._history_user = denied_by
        return save_allocation(allocation=allocation, user=denied_by)


def expire_allocations(*, queryset=None, today: datetime.date | None = None) -> int:
    """Mark active allocations whose end date has passed as expired; their history stays."""
    today = today or timezone.localdate()
    queryset = Allocation.objects.all() if queryset is None else queryset
    expired_ids: list[int] = []
    with transaction.atomic():
        # Saved one by one (not queryset.update) so that the history records each change.
        for allocation in queryset.select_for_update().filter(
            status=Allocation.Status.ACTIVE, end_date__isnull=False, end_date__lt=today
        ):
            allocation.status = Allocation.Status.EXPIRED
            allocation.save(update_fields=["status"])
            expired_ids.append(allocation.pk)
        refresh_today(allocation_ids=expired_ids)
    return len(expired_ids)
