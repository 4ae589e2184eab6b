"""Change requests as notification events: submitted (to allocation managers) and decided (to the team).

A request for a *new* allocation is announced by notifications' own "request_submitted" and
"request_decided" sources, which read the requested allocation itself (also created through the admin or
the API without a request row). A request to *change* an active allocation exists only here, so these two
sources read the approvals' request rows. Registered when both apps are installed (ApprovalsConfig.ready).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from approvals.models import AllocationRequest
from inventory.units import format_capacity
from notifications.registry import MANAGERS, TEAM, Observation, source
from notifications.sources import project_url, request_lookback

_RELATED = ("allocation__project", "allocation__pool")


def _what(change: AllocationRequest) -> str:
    """What the change asks for, in words ("quota from 10.0 TB to 20.0 TB"): plain ASCII for mail subjects."""
    parts = []
    if change.quota_bytes is not None:
        parts.append(
            gettext("quota from %(before)s to %(after)s")
            % {"before": format_capacity(change.previous_quota_bytes), "after": format_capacity(change.quota_bytes)}
        )
    if change.end_date is not None:
        before = f"{change.previous_end_date:%Y-%m-%d}" if change.previous_end_date else gettext("none")
        parts.append(
            gettext("end date from %(before)s to %(after)s")
            % {"before": before, "after": f"{change.end_date:%Y-%m-%d}"}
        )
    return gettext(" and ").join(parts)


def _observation(change: AllocationRequest, title: str, body: str, **extra) -> Observation:
    allocation = change.allocation
    return Observation(
        subject_id=change.pk,
        level=1,
        title=title,
        body=body,
        url=project_url(allocation.project.code),
        team_id=allocation.project.team_id,
        project_id=allocation.project_id,
        pool_id=allocation.pool_id,
        **extra,
    )


@source("change_request_submitted", label=_("A change to an allocation is requested"), audience=MANAGERS)
def change_request_submitted(now: dt.datetime):
    rows = AllocationRequest.objects.filter(
        kind=AllocationRequest.Kind.CHANGE,
        status=AllocationRequest.Status.PENDING,
        requested_at__gte=request_lookback(now),
    ).select_related(*_RELATED)
    for change in rows:
        names = {"project": change.allocation.project.code, "pool": change.allocation.pool.name, "what": _what(change)}
        yield _observation(
            change,
            title=gettext("%(project)s asks for a change on %(pool)s: %(what)s") % names,
            body=gettext("%(project)s asks for %(what)s on pool %(pool)s. Justification: %(justification)s")
            % {**names, "justification": change.justification},
        )


@source("change_request_decided", label=_("A requested change is approved or denied"), audience=TEAM)
def change_request_decided(now: dt.datetime):
    rows = (
        AllocationRequest.objects.filter(kind=AllocationRequest.Kind.CHANGE, decided_at__gte=request_lookback(now))
        .exclude(status=AllocationRequest.Status.PENDING)
        .select_related(*_RELATED)
    )
    for change in rows:
        names = {"project": change.allocation.project.code, "pool": change.allocation.pool.name, "what": _what(change)}
        approved = change.status == AllocationRequest.Status.APPROVED
        if approved:
            title = gettext("The change of %(project)s on %(pool)s was approved: %(what)s")
            body = gettext("The requested change of %(project)s on pool %(pool)s (%(what)s) was approved.")
        else:
            title = gettext("The change of %(project)s on %(pool)s was denied: %(what)s")
            body = gettext("The requested change of %(project)s on pool %(pool)s (%(what)s) was denied.")
        if change.decision_reason:
            body += " " + gettext("Reason: %(reason)s") % {"reason": change.decision_reason}
        yield _observation(
            change,
            title=title % names,
            body=body % names,
            user_ids=(change.requested_by_id,) if change.requested_by_id else (),
        )
