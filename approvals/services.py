"""Asking for storage and deciding on it: every write of the approvals app (keyword-only, one transaction each).

A new allocation is asked for through inventory.services.allocations.create_allocation (status
"requested"), approved with approve_allocation and denied with deny_allocation, exactly as in the admin;
a change is applied with save_allocation, so the capacity check (inventory/services/capacity.py, under the
pool's row lock) and the database triggers decide whether it fits. Locks: the request row first (it is
outside the inventory), then what the inventory's services lock, in their order (allocation, then pool).
Notifications can hook in where a request is created (request_allocation, request_change) and decided
(approve_request, deny_request), or read approvals.selectors.request_events.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from approvals.models import AllocationRequest
from approvals.rules import may_decide, may_request
from inventory.models import Allocation, ResearchProject, StoragePool
from inventory.services.allocations import (
    approve_allocation,
    create_allocation,
    deny_allocation,
    save_allocation,
)
from inventory.units import format_capacity

PENDING = AllocationRequest.Status.PENDING


def _check_requester(user, project: ResearchProject) -> None:
    if not may_request(user, project):
        raise PermissionDenied(gettext("You may not ask for storage for %(project)s.") % {"project": project.code})


def _check_justification(justification: str) -> str:
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": gettext("Say what the storage is for.")})
    return justification


def _check_pool(project: ResearchProject, pool: StoragePool) -> None:
    if not pool.open_for_requests:
        raise ValidationError({"pool": gettext("Pool %(pool)s does not take requests.") % {"pool": pool}})
    taken = Allocation.objects.filter(
        project=project, pool=pool, status__in=[Allocation.Status.ACTIVE, Allocation.Status.REQUESTED]
    ).values_list("status", flat=True)
    if Allocation.Status.ACTIVE in taken:
        raise ValidationError(
            {
                "pool": gettext(
                    "%(project)s already has an active allocation on %(pool)s: ask for a larger quota there."
                )
                % {"project": project.code, "pool": pool}
            }
        )
    if Allocation.Status.REQUESTED in taken:
        raise ValidationError(
            {
                "pool": gettext("%(project)s already has a pending request on %(pool)s.")
                % {"project": project.code, "pool": pool}
            }
        )


def _save_request(allocation_request: AllocationRequest) -> AllocationRequest:
    """Save, turning the one-pending-request rule's refusal (a race between two requesters) into a message."""
    allocation_request.full_clean(validate_constraints=False)
    allocation_request._history_user = allocation_request.requested_by  # outside a web request too
    try:
        with transaction.atomic():
            allocation_request.save()
    except IntegrityError as error:
        if "one_pending_request_per_allocation" not in str(error):
            raise
        raise ValidationError(gettext("This allocation already has a pending request.")) from error
    return allocation_request


def request_allocation(
    *,
    project: ResearchProject,
    pool: StoragePool,
    quota_bytes: int,
    end_date: datetime.date | None,
    justification: str,
    requested_by,
) -> AllocationRequest:
    """Ask for a new allocation: an Allocation with status "requested" and its request, in one transaction."""
    _check_requester(requested_by, project)
    justification = _check_justification(justification)
    if not quota_bytes or quota_bytes <= 0:
        raise ValidationError({"quota_bytes": gettext("Ask for more than nothing.")})
    today = timezone.localdate()
    if end_date is not None and end_date <= today:
        raise ValidationError({"end_date": gettext("The end date must be after today.")})
    with transaction.atomic():
        _check_pool(project, pool)
        allocation = create_allocation(
            project=project,
            pool=pool,
            quota_bytes=quota_bytes,
            start_date=today,
            end_date=end_date,
            requested_by=requested_by,
            justification=justification,
        )
        return _save_request(
            AllocationRequest(
                kind=AllocationRequest.Kind.NEW,
                allocation=allocation,
                quota_bytes=quota_bytes,
                end_date=end_date,
                justification=justification,
                requested_by=requested_by,
            )
        )


def _check_change(allocation: Allocation, quota_bytes: int | None, end_date: datetime.date | None) -> None:
    if allocation.status != Allocation.Status.ACTIVE:
        raise ValidationError(
            gettext("%(allocation)s is %(status)s: only an active one changes.")
            % {"allocation": allocation, "status": allocation.get_status_display().lower()}
        )
    if quota_bytes is None and end_date is None:
        raise ValidationError(gettext("Ask for a larger quota, a later end date, or both."))
    if quota_bytes is not None and quota_bytes <= allocation.quota_bytes:
        raise ValidationError(
            {
                "quota_bytes": gettext("Ask for more than the current quota, %(quota)s.")
                % {"quota": format_capacity(allocation.quota_bytes)}
            }
        )
    if end_date is not None:
        if allocation.end_date is None:
            raise ValidationError({"end_date": gettext("This allocation has no end date: there is nothing to extend.")})
        if end_date <= allocation.end_date:
            raise ValidationError(
                {"end_date": gettext("Ask for a date after the current end, %(end)s.") % {"end": allocation.end_date}}
            )


def request_change(
    *,
    allocation: Allocation,
    quota_bytes: int | None = None,
    end_date: datetime.date | None = None,
    justification: str,
    requested_by,
) -> AllocationRequest:
    """Ask for a larger quota and/or a later end date on an active allocation (nothing changes until approved)."""
    _check_requester(requested_by, allocation.project)
    justification = _check_justification(justification)
    _check_change(allocation, quota_bytes, end_date)
    if AllocationRequest.objects.filter(allocation=allocation, status=PENDING).exists():
        raise ValidationError(gettext("This allocation already has a pending request."))
    return _save_request(
        AllocationRequest(
            kind=AllocationRequest.Kind.CHANGE,
            allocation=allocation,
            quota_bytes=quota_bytes,
            end_date=end_date,
            previous_quota_bytes=allocation.quota_bytes,
            previous_end_date=allocation.end_date,
            justification=justification,
            requested_by=requested_by,
        )
    )


def _lock_pending(allocation_request: AllocationRequest, user) -> AllocationRequest:
    if not may_decide(user):
        raise PermissionDenied(gettext("Only allocation managers decide on requests."))
    locked = AllocationRequest.objects.select_for_update().get(pk=allocation_request.pk)
    if locked.status != PENDING:
        raise ValidationError(
            gettext("This request was already %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    return locked


def _apply_change(allocation_request: AllocationRequest, user) -> None:
    """Give the allocation the requested quota / end date through save_allocation (capacity check, history)."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation_request.allocation_id)
    if allocation.status != Allocation.Status.ACTIVE:
        raise ValidationError(
            gettext("%(allocation)s is %(status)s, no longer active.")
            % {"allocation": allocation, "status": allocation.get_status_display().lower()}
        )
    if allocation_request.quota_bytes is not None:
        allocation.quota_bytes = allocation_request.quota_bytes
    if allocation_request.end_date is not None:
        allocation.end_date = allocation_request.end_date
    allocation._history_user = user
    save_allocation(allocation=allocation, user=user)


def _close(allocation_request: AllocationRequest, status: str, user, reason: str) -> AllocationRequest:
    allocation_request.status = status
    allocation_request.decided_by = user
    allocation_request.decided_at = timezone.now()
    allocation_request.decision_reason = (reason or "").strip()
    allocation_request._history_user = user
    allocation_request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return allocation_request


def approve_request(*, allocation_request: AllocationRequest, decided_by, reason: str = "") -> AllocationRequest:
    """Approve: activate the requested allocation, or apply the change; refused (ValidationError) if it does not fit."""
    with transaction.atomic():
        locked = _lock_pending(allocation_request, decided_by)
        if locked.kind == AllocationRequest.Kind.NEW:
            approve_allocation(allocation=locked.allocation, approved_by=decided_by)
        else:
            _apply_change(locked, decided_by)
        return _close(locked, AllocationRequest.Status.APPROVED, decided_by, reason)


def deny_request(*, allocation_request: AllocationRequest, decided_by, reason: str) -> AllocationRequest:
    """Deny with a reason the requester reads; a new allocation's row becomes "denied" (its history stays)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": gettext("Give the requester a reason for the denial.")})
    with transaction.atomic():
        locked = _lock_pending(allocation_request, decided_by)
        if locked.kind == AllocationRequest.Kind.NEW:
            deny_allocation(allocation=locked.allocation, denied_by=decided_by)
        return _close(locked, AllocationRequest.Status.DENIED, decided_by, reason)
