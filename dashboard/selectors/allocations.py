"""Reads for allocation tables (the allocation list, and the allocations on team and project pages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import Allocation
from inventory.thresholds import threshold_state_expression, used_percent_expression


def allocation_rows(*, staff: bool = False, threshold_state: bool = True) -> QuerySet[Allocation]:
    """Allocations with project, team, pool and array in the same query, % used and threshold state from SQL.

    Requester and approver are joined only for staff: researchers never see them. (No table or
    CSV of allocations shows the project's investigator: joining users for it cost planning time.)
    *threshold_state* False leaves the state out: the tables work it out per row from the figures they
    already have (the usage bar), and building its CASE took Python about 2 ms a page;
    with_threshold_state() adds it back for a download.
    """
    related = ["project__team", "pool__array"]
    if staff:
        related += ["requested_by", "approved_by"]
    rows = Allocation.objects.select_related(*related).annotate(used_percent=used_percent_expression())
    if threshold_state:
        rows = with_threshold_state(rows)
    return rows.order_by("project__code", "pool__array__name", "pool__name", "pk")


def with_threshold_state(rows: QuerySet[Allocation]) -> QuerySet[Allocation]:
    """*rows* with ``threshold_state``, each against its own pool's thresholds (inventory.thresholds)."""
    return rows.annotate(threshold_state=threshold_state_expression())


#: How many of an allocation's recorded changes its page lists, newest first.
HISTORY_LIMIT = 50
#: The fields whose changes the allocation's history shows, with their labels and kinds.
HISTORY_FIELDS = (
    ("status", pgettext_lazy("allocation history", "status"), "status"),
    ("quota_bytes", pgettext_lazy("allocation history", "quota"), "bytes"),
    ("start_date", pgettext_lazy("allocation history", "starts"), "text"),
    ("end_date", pgettext_lazy("allocation history", "ends"), "text"),
    ("quota_id", _("quota identifier"), "text"),
)


@dataclass(frozen=True)
class Change:
    label: str
    kind: str  # "status", "bytes" or "text": how the page shows old and new
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str  # empty when not recorded (a command, a trigger)
    created: bool
    changes: list[Change]


def _user_name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _changes(record, previous) -> list[Change]:
    status_labels = dict(Allocation.Status.choices)
    changes = []
    for field, label, kind in HISTORY_FIELDS:
        new = getattr(record, field)
        old = getattr(previous, field) if previous else None
        if previous is not None and old == new:
            continue
        if kind == "status":
            old, new = status_labels.get(old, old), status_labels.get(new, new)
        if previous is None and new in (None, ""):
            continue
        changes.append(Change(label, kind, old, new))
    return changes


def allocation_history(allocation_id: int, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Who changed the allocation's status, quota, dates or quota id, and when, newest first (one query).

    One record more than shown is read, so the oldest shown still has something to compare with.
    """
    records = list(
        Allocation.history.filter(id=allocation_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        created = record.history_type == "+" or previous is None
        changes = _changes(record, None if created else previous)
        if changes or created:
            entries.append(HistoryEntry(record.history_date, _user_name(record.history_user), created, changes))
    return entries
