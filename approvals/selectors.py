"""Reads for requests: the managers' queue, a person's and a project's requests, and request events.

Every list is one query (plus a count where paged); the pool's and team's figures come from
inventory.figures as correlated subqueries over the page's rows only.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from approvals.models import AllocationRequest
from inventory import figures
from inventory.models import Allocation, StoragePool, TeamMembership

PENDING = AllocationRequest.Status.PENDING
#: A new allocation's request is no longer open once its allocation left "requested" (admin, API).
_DECIDED_ELSEWHERE = [s for s in Allocation.Status.values if s != Allocation.Status.REQUESTED]
_RELATED = ("allocation__project__team", "allocation__pool__array", "requested_by", "decided_by")


def open_requests() -> QuerySet[AllocationRequest]:
    """Pending requests, oldest first, with the pool's allocated and the team's allocated and used.

    A new allocation's request whose allocation was already decided elsewhere (the admin, the API) is no
    longer open: it is left out here and shows the allocation's own status to the requester.
    """
    pool_figures = figures.figure_subqueries("pool", ("allocated_bytes",), outer="allocation__pool")
    team_figures = figures.figure_subqueries(
        "project__team", ("allocated_bytes", "used_bytes", "not_reporting_count"), outer="allocation__project__team"
    )
    return (
        AllocationRequest.objects.filter(status=PENDING)
        .exclude(kind=AllocationRequest.Kind.NEW, allocation__status__in=_DECIDED_ELSEWHERE)
        .select_related(*_RELATED)
        .annotate(
            pool_allocated_bytes=pool_figures["allocated_bytes"],
            team_allocated_bytes=team_figures["allocated_bytes"],
            team_used_bytes=team_figures["used_bytes"],
            team_not_reporting_count=team_figures["not_reporting_count"],
        )
        .order_by("requested_at", "pk")
    )


def added_bytes(allocation_request: AllocationRequest) -> int:
    """What approving adds to the pool's allocated: a new quota, or the growth of a quota (0 for a date)."""
    if allocation_request.kind == AllocationRequest.Kind.NEW:
        return allocation_request.quota_bytes or 0
    if allocation_request.quota_bytes is None:
        return 0
    return max(allocation_request.quota_bytes - allocation_request.allocation.quota_bytes, 0)


def with_headroom(rows) -> list[AllocationRequest]:
    """Each queue row with the pool's headroom (allowed − allocated) before and after approving it."""
    rows = list(rows)
    for row in rows:
        pool: StoragePool = row.allocation.pool
        allowed = pool.allowed_bytes or 0
        row.added_bytes = added_bytes(row)
        row.headroom_before_bytes = allowed - row.pool_allocated_bytes
        row.headroom_after_bytes = row.headroom_before_bytes - row.added_bytes
        row.fits = row.headroom_after_bytes >= 0
        row.shortfall_bytes = max(-row.headroom_after_bytes, 0)
    return rows


def _concerns(user) -> Q:
    """Requests the user made, or on projects they lead or whose team they belong to."""
    member = TeamMembership.objects.filter(team=OuterRef("allocation__project__team"), user=user)
    return Q(requested_by=user) | Q(allocation__project__principal_investigator=user) | Q(Exists(member))


def visible_requests(user) -> QuerySet[AllocationRequest]:
    """Every request for those who may read them all (both admin roles); otherwise those that concern *user*."""
    rows = AllocationRequest.objects.select_related(*_RELATED).order_by("-requested_at", "-pk")
    if user.has_perm("approvals.view_allocationrequest"):
        return rows
    return rows.filter(_concerns(user))


def requests_for_user(user, *, since: datetime.datetime, limit: int = 20) -> list[AllocationRequest]:
    """The user's pending requests and those decided since *since*, newest first (one query)."""
    recent = Q(status=PENDING) | Q(decided_at__gte=since)
    return list(
        AllocationRequest.objects.filter(_concerns(user))
        .filter(recent)
        .select_related(*_RELATED)
        .order_by("-requested_at", "-pk")[:limit]
    )


def requests_for_project(project, *, limit: int = 20) -> list[AllocationRequest]:
    """A project's requests, newest first (one query)."""
    return list(
        AllocationRequest.objects.filter(allocation__project=project)
        .select_related(*_RELATED)
        .order_by("-requested_at", "-pk")[:limit]
    )


def request_events(since: datetime.datetime) -> list[dict]:
    """Requests submitted or decided at or after *since*, oldest first: a hook for notifications.

    Each event is ``{"event": "submitted" | "approved" | "denied", "at": moment, "request": AllocationRequest}``.
    """
    rows = AllocationRequest.objects.filter(Q(requested_at__gte=since) | Q(decided_at__gte=since)).select_related(
        *_RELATED
    )
    events = []
    for row in rows:
        if row.requested_at >= since:
            events.append({"event": "submitted", "at": row.requested_at, "request": row})
        if row.decided_at is not None and row.decided_at >= since:
            events.append({"event": row.status, "at": row.decided_at, "request": row})
    return sorted(events, key=lambda event: (event["at"], event["request"].pk))
