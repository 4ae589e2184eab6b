"""Deciding on requests from a page: a refusal becomes a sentence, never an error page.

The same refusals the admin turns into messages (inventory/admin/base.py): a service's ValidationError
(the capacity check, with its numbers in units), a database trigger's IntegrityError after a race, and a
deadlock or serialization failure, which is tried once more first. Each request is decided in its own
transaction, so one refusal in a bulk decision leaves the others decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError
from django.utils.translation import gettext

from approvals.models import AllocationRequest
from approvals.services import approve_request, deny_request
from inventory.admin.base import busy_refusal, is_concurrency_failure, refusal_from

APPROVE, DENY = "approve", "deny"


@dataclass
class Outcome:
    """What a (bulk) decision did: the requests decided, and a sentence per refusal."""

    decided: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def decide_one(*, allocation_request: AllocationRequest, action: str, user, reason: str) -> str | None:
    """Approve or deny one request; None when done, else why not (nothing of it was written)."""
    service = approve_request if action == APPROVE else deny_request
    for attempt in (1, 2):
        try:
            service(allocation_request=allocation_request, decided_by=user, reason=reason)
            return None
        except ValidationError as error:
            return " ".join(error.messages)
        except IntegrityError as error:
            return refusal_from(error).message
        except OperationalError as error:
            if not is_concurrency_failure(error):
                raise
            if attempt == 2:
                return busy_refusal().message
    return None  # not reached: the loop returns


def decide_many(*, ids: list[int], action: str, user, reasons: dict[int, str]) -> Outcome:
    """Decide each request of *ids* in turn (own transaction each); requests no longer pending are refused."""
    outcome = Outcome()
    requests = AllocationRequest.objects.select_related("allocation__project", "allocation__pool__array").in_bulk(ids)
    for pk in ids:
        allocation_request = requests.get(pk)
        if allocation_request is None:
            outcome.refused.append(gettext("Request %(pk)s does not exist.") % {"pk": pk})
            continue
        problem = decide_one(allocation_request=allocation_request, action=action, user=user, reason=reasons[pk])
        if problem is None:
            outcome.decided.append(str(allocation_request))
        else:
            outcome.refused.append(f"{allocation_request}: {problem}")
    return outcome
