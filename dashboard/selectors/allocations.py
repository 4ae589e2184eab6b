"""Reads for allocation tables (the allocation list, and the allocations on team and project pages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import DEFERRED, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import Allocation, ResearchProject, StorageArray, StoragePool, Team
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


#: One page of a team's allocations for its page's table: the columns dashboard.rows.AllocationRows shows,
#: in allocation_rows()' order and with its ``used_percent``. The ORM's query of allocation_rows() (five
#: tables and two users, every column) took several times longer to build in Python than PostgreSQL took
#: to run this one.
_TEAM_PAGE_SQL = """
SELECT {columns},
       a.used_bytes::numeric(40, 0) * 100 / NULLIF(a.quota_bytes::numeric(40, 0), 0) AS used_percent
FROM inventory_allocation a
JOIN inventory_researchproject p ON p.id = a.project_id
JOIN inventory_storagepool s ON s.id = a.pool_id
JOIN inventory_storagearray r ON r.id = s.array_id
{requester_join}
WHERE p.team_id = %s
ORDER BY p.code, r.name, s.name, a.id
LIMIT %s OFFSET %s
"""
#: What the table reads of each model (staff also see the requester and the justification).
_TEAM_PAGE_FIELDS = (
    (
        Allocation,
        "a",
        ("id", "project_id", "pool_id", "status", "quota_bytes", "enforced_quota_bytes", "used_bytes")
        + ("usage_measured_at", "end_date", "requested_by_id"),
    ),
    (ResearchProject, "p", ("id", "code", "title", "team_id")),
    (StoragePool, "s", ("id", "array_id", "name", "slug", "warning_threshold", "critical_threshold")),
    (StorageArray, "r", ("id", "name", "slug")),
)


@cache
def _team_page_columns(staff: bool) -> tuple[tuple[type, tuple[int, ...], str], ...]:
    """Per model: the positions among its fields (Model.from_db's order) of the columns read, and the columns.

    The same on every page, so made once. With a value or DEFERRED for every field, from_db takes them as
    they are, without matching each field's name against the columns read.
    """
    staff_fields = (
        (Allocation, "a", ("justification",)),
        (get_user_model(), "u", ("id", "username", "first_name", "last_name")),
    )
    wanted: dict[type, tuple[str, set[str]]] = {}
    for model, alias, fields in _TEAM_PAGE_FIELDS + (staff_fields if staff else ()):
        wanted.setdefault(model, (alias, set()))[1].update(fields)
    models = []
    for model, (alias, fields) in wanted.items():
        concrete = model._meta.concrete_fields
        positions = tuple(index for index, field in enumerate(concrete) if field.attname in fields)
        models.append((model, positions, ", ".join(f"{alias}.{concrete[index].column}" for index in positions)))
    return tuple(models)


class TeamAllocationPages:
    """A team's allocations as the paginator reads them: how many is known beforehand (the team's row counts
    them), and each page is one query (_TEAM_PAGE_SQL) giving Allocation instances with their project, pool
    and array (and requester, for staff) attached, as allocation_rows()' would be."""

    def __init__(self, team: Team, *, staff: bool = False) -> None:
        self.team, self.staff = team, staff
        self._models = _team_page_columns(staff)
        self._sql = _TEAM_PAGE_SQL.format(
            columns=", ".join(columns for _model, _positions, columns in self._models),
            requester_join=f"LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = a.requested_by_id"
            if staff
            else "",
        )

    def count(self) -> int:
        return self.team.allocation_total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.count())
        if stop <= start:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self._sql, (self.team.pk, stop - start, start))
            return [self._allocation(row) for row in cursor.fetchall()]

    def _allocation(self, row: tuple) -> Allocation:
        instances, offset = {}, 0
        for model, positions, _columns in self._models:
            values = [DEFERRED] * len(model._meta.concrete_fields)
            for position, value in zip(positions, row[offset : offset + len(positions)], strict=True):
                values[position] = value
            instances[model] = model.from_db(DEFAULT_DB_ALIAS, None, values)
            offset += len(positions)
        allocation, project, pool = instances[Allocation], instances[ResearchProject], instances[StoragePool]
        allocation.used_percent = row[offset]
        project.team, pool.array = self.team, instances[StorageArray]
        allocation.project, allocation.pool = project, pool
        if self.staff:
            # The requester's columns are NULL where nobody is recorded.
            requester = instances[get_user_model()]
            allocation.requested_by = requester if allocation.requested_by_id is not None else None
        return allocation
