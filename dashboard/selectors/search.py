"""The header's search: projects, teams, pools, arrays, allocations by quota id and (staff) people.

One query per kind, each limited to ``RESULTS_PER_KIND`` + 1 rows (the extra row only says "more"),
so a search costs the same number of queries whatever the data size. What researchers may not see
elsewhere stays hidden here: people and array serial numbers are searched for staff only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q

from inventory.models import Allocation, ResearchProject, StorageArray, StoragePool, Team

#: At most this many results of each kind (a link to the kind's own list shows the rest).
RESULTS_PER_KIND = 8
#: Shorter queries match nearly everything: they are not searched.
MIN_QUERY_LENGTH = 2
#: Longer input is cut (nobody types a 100-character project code).
MAX_QUERY_LENGTH = 100


@dataclass
class Hits:
    """The first results of one kind, and whether there are more."""

    rows: list
    more: bool = False


@dataclass
class SearchResults:
    query: str
    kinds: dict[str, Hits] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(hits.rows) for hits in self.kinds.values())


def _first(queryset) -> Hits:
    rows = list(queryset[: RESULTS_PER_KIND + 1])
    return Hits(rows[:RESULTS_PER_KIND], len(rows) > RESULTS_PER_KIND)


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def search(query: str, *, staff: bool) -> SearchResults:
    """Everything matching *query* (case-insensitive, anywhere in the name), by kind."""
    results = SearchResults(query)
    if len(query) < MIN_QUERY_LENGTH:
        return results
    q = query
    results.kinds["projects"] = _first(
        ResearchProject.objects.select_related("team")
        .filter(Q(code__icontains=q) | Q(title__icontains=q))
        .order_by("code")
    )
    results.kinds["teams"] = _first(Team.objects.filter(Q(name__icontains=q) | Q(slug__icontains=q)).order_by("name"))
    results.kinds["pools"] = _first(
        StoragePool.objects.select_related("array")
        .filter(Q(name__icontains=q) | Q(slug__icontains=q))
        .order_by("array__name", "name")
    )
    arrays = Q(name__icontains=q) | Q(slug__icontains=q)
    if staff:
        arrays |= Q(serial_number__icontains=q)
    results.kinds["arrays"] = _first(StorageArray.objects.filter(arrays).order_by("name"))
    results.kinds["allocations"] = _first(
        Allocation.objects.select_related("project", "pool__array")
        .filter(quota_id__icontains=q)
        .order_by("quota_id", "pk")
    )
    if staff:
        people = (
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
        results.kinds["people"] = _first(
            get_user_model().objects.filter(people, is_active=True).order_by("last_name", "first_name", "username")
        )
    return results
