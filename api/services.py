"""The one allocation write the inventory services do not have yet: denying a request.

It belongs next to approve_allocation in inventory/services/allocations.py (same lock, same check); it
lives here until that module can take it (see the merge notes in the report).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.models import Allocation
from inventory.services.allocations import save_allocation


def deny_allocation(*, allocation: Allocation, denied_by) -> Allocation:
    """Deny a requested allocation (under its row lock); anything but a request cannot be denied."""
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.status != Allocation.Status.REQUESTED:
            raise ValidationError(
                {
                    "status": f"{allocation} is {allocation.get_status_display().lower()}, "
                    "not requested: nothing to deny."
                }
            )
        allocation.status = Allocation.Status.DENIED
        allocation._history_user = denied_by
        return save_allocation(allocation=allocation)
