"""One definition of every capacity figure (docs/domain.md), shared by the admin, the pages, the API and metrics.

Every figure of a pool, array, site, team or project is a sum over its allocations, and which allocations
count is the same everywhere:

* **allocated**: the quotas of *active* allocations;
* **used** (logical) and **physical used** (physical where reported, else logical): the latest usage of active
  allocations whose newest sample is no older than the staleness limit (``CAPACITY_STALENESS_DAYS``);
* **not reporting**: active allocations with no sample, or only samples older than that limit. Their usage
  is not added (it is not known), and pages say how many there are instead of silently dropping them;
* **allowed** (allocatable): capacity × maximum oversubscription, rounded down to whole bytes; the same
  rule is the SQL function ``inventory_allowed_bytes`` that the database's capacity triggers call;
* **allocated %** = allocated ÷ allowed; **used %** = physical used ÷ capacity (usable); **free** =
  capacity − physical used; **oversubscription** = allocated ÷ capacity; **data reduction** = logical ÷
  physical used, over the allocations that report both.

The ORM expressions here are written relative to a *prefix* (``""`` on Allocation itself,
``"allocations__"`` from a pool, ``"pools__allocations__"`` from an array), so the admin's grouped
annotations and the dashboard's hand-written capacity query (which embeds ``allocation_sums_query``)
compute each figure from the same expression.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

ACTIVE = "active"

_BYTES = BigIntegerField()
_RATIO = DecimalField(max_digits=30, decimal_places=10)
# Cast before dividing: bigint / bigint would be integer division in PostgreSQL.
_NUMERIC = DecimalField(max_digits=40, decimal_places=0)


# --- allowed -----------------------------------------------------------------------------------------------


def allowed_bytes(capacity_bytes: int | None, max_oversubscription: Decimal | None) -> int | None:
    """The most that may be allocated on a pool: capacity × maximum oversubscription, rounded down.

    None when either is unknown or the ratio is not positive (a form being filled in): no rule
    applies to a pool that cannot exist.
    """
    if capacity_bytes is None or max_oversubscription is None:
        return None
    ratio = Decimal(max_oversubscription)
    if ratio <= 0 or capacity_bytes < 0:
        return None
    return math.floor(Decimal(capacity_bytes) * ratio)


#: The SQL twin of allowed_bytes(), created by migration 0009 and called by the capacity triggers.
ALLOWED_SQL_FUNCTION = "inventory_allowed_bytes"


class AllowedBytes(Func):
    """``inventory_allowed_bytes(capacity, max_oversubscription)`` in a query: a whole number as numeric
    (it may exceed bigint), read as an exact Decimal."""

    function = ALLOWED_SQL_FUNCTION
    output_field = _NUMERIC


# --- which allocations count -------------------------------------------------------------------------------


def staleness() -> datetime.timedelta:
    """How old an allocation's newest sample may be before it counts as not reporting."""
    return datetime.timedelta(days=settings.CAPACITY_STALENESS_DAYS)


def reporting_since(now: datetime.datetime | None = None) -> datetime.datetime:
    """Samples at or after this moment are current; an allocation whose newest is older is not reporting."""
    return (now or timezone.now()) - staleness()


def is_reporting(measured_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> bool:
    """The Python form of counts_as_used() for one allocation's latest usage moment."""
    return measured_at is not None and measured_at >= reporting_since(now)


def counts_as_allocated(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": ACTIVE})


def _reporting(prefix: str, since: datetime.datetime) -> Q:
    return Q(**{f"{prefix}usage_measured_at__gte": since})


def _stale(prefix: str, since: datetime.datetime) -> Q:
    return Q(**{f"{prefix}usage_measured_at__isnull": True}) | Q(**{f"{prefix}usage_measured_at__lt": since})


def counts_as_used(prefix: str = "", *, since: datetime.datetime) -> Q:
    return counts_as_allocated(prefix) & _reporting(prefix, since)


def counts_as_not_reporting(prefix: str = "", *, since: datetime.datetime) -> Q:
    return counts_as_allocated(prefix) & _stale(prefix, since)


# --- the sums ----------------------------------------------------------------------------------------------


def allocation_sums(prefix: str = "", *, since: datetime.datetime | None = None, prefiltered: bool = False) -> dict:
    """Aggregates over the allocations reached through *prefix*; annotate them on a grouped query.

    ``used_bytes`` and ``physical_used_bytes`` are NULL where no counted allocation reports (a team or
    project that has never reported shows "—", not 0); pools and arrays read them with coalesce.

    *prefiltered*: the query's rows are already only allocations that count as allocated (its WHERE has
    counts_as_allocated()), so the filters leave that condition out. The figures are the same; without the
    status test in the aggregates PostgreSQL can read them all from the covering partial index
    allocation_active_by_pool instead of the table.
    """
    since = since or reporting_since()
    allocated = None if prefiltered else counts_as_allocated(prefix)
    used = _reporting(prefix, since) if prefiltered else counts_as_used(prefix, since=since)
    stale = _stale(prefix, since) if prefiltered else counts_as_not_reporting(prefix, since=since)
    used_field, physical_field = f"{prefix}used_bytes", f"{prefix}physical_used_bytes"
    reduced = used & Q(**{f"{prefix}physical_used_bytes__isnull": False})
    # Order matters on Allocation itself (prefix ""): an annotation named like a field shadows the field
    # for the expressions after it, so the sums that read used_bytes and physical_used_bytes come first.
    return {
        "allocated_bytes": Coalesce(Sum(f"{prefix}quota_bytes", filter=allocated), Value(0), output_field=_BYTES),
        "allocation_count": Count(f"{prefix}id", filter=allocated),
        "not_reporting_count": Count(f"{prefix}id", filter=stale),
        "reduced_logical_bytes": Sum(used_field, filter=reduced, output_field=_BYTES),
        "reduced_physical_bytes": Sum(physical_field, filter=reduced, output_field=_BYTES),
        # Physical where the storage system reports it, else logical: free space is then estimated
        # conservatively, never emptier than it is.
        "physical_used_bytes": Sum(Coalesce(physical_field, used_field), filter=used, output_field=_BYTES),
        "used_bytes": Sum(used_field, filter=used, output_field=_BYTES),
    }


def _over_quota(prefix: str) -> Q:
    return Q(**{f"{prefix}used_bytes__gt": F(f"{prefix}quota_bytes")})


def counts_as_over_quota(prefix: str = "") -> Q:
    """Active allocations whose latest usage is above their quota: the "over" state of inventory.thresholds."""
    return counts_as_allocated(prefix) & _over_quota(prefix)


def over_quota_count(prefix: str = "", *, prefiltered: bool = False) -> Count:
    """How many allocations (through *prefix*) are over quota: a team or project at 62 % overall may still
    have one allocation at 106 %, and every page that shows its percentage shows this count too.
    *prefiltered* as in allocation_sums()."""
    return Count(f"{prefix}id", filter=_over_quota(prefix) if prefiltered else counts_as_over_quota(prefix))


def allocation_sums_query(queryset: QuerySet, group: str, *, since: datetime.datetime | None = None) -> QuerySet:
    """*queryset* of allocations grouped by *group* (e.g. ``"pool_id"``) with allocation_sums()."""
    return (
        queryset.filter(counts_as_allocated())
        .order_by()
        .values(group)
        .annotate(**allocation_sums(since=since, prefiltered=True))
    )


# --- the ratios --------------------------------------------------------------------------------------------


def percent(part: str, whole: str) -> ExpressionWrapper:
    """part × 100 ÷ whole as exact numeric; NULL when the whole is 0 or unknown."""
    return ExpressionWrapper(Cast(F(part), _NUMERIC) * Value(100) / _nonzero(whole), output_field=_RATIO)


def ratio(part: str, whole: str) -> ExpressionWrapper:
    return ExpressionWrapper(Cast(F(part), _NUMERIC) / _nonzero(whole), output_field=_RATIO)


def _nonzero(whole: str) -> NullIf:
    """*whole* as numeric, NULL where it is 0 (bigint capacities and numeric allowed figures alike)."""
    return NullIf(Cast(F(whole), _NUMERIC), Value(0, output_field=_NUMERIC))


def capacity_ratios(*, capacity: str, allowed: str) -> dict:
    """The ratios over allocation_sums() for a pool or array (annotate them in a second call).

    *capacity* names the usable capacity (a pool's capacity, an array's usable), *allowed* the most that may
    be allocated (a pool's allowed, an array's pools' allowed summed).
    """
    physical = Coalesce(F("physical_used_bytes"), Value(0), output_field=_BYTES)
    return {
        "allocated_percent": percent("allocated_bytes", allowed),
        "used_percent": ExpressionWrapper(
            Cast(physical, _NUMERIC) * Value(100) / _nonzero(capacity), output_field=_RATIO
        ),
        "free_bytes": ExpressionWrapper(F(capacity) - physical, output_field=_BYTES),
        "oversubscription": ratio("allocated_bytes", capacity),
        "data_reduction": ratio("reduced_logical_bytes", "reduced_physical_bytes"),
    }


# --- per row of a long list (teams, projects) ------------------------------------------------------------


def figure_subqueries(
    owner: str,
    names: tuple[str, ...] = ("allocated_bytes", "used_bytes", "not_reporting_count"),
    *,
    since=None,
    outer: str = "pk",
) -> dict:
    """allocation_sums() figures of each outer row (a team or project) as correlated subqueries.

    *owner* is the path from an allocation to the outer row (``"project"``, ``"project__team"``); *outer* the
    outer row's field that *owner* must equal (its pk, or e.g. ``"allocation__pool"`` from a request).
    PostgreSQL evaluates these for the rows of a page only, where a join grouped every team or project.
    """
    from inventory.models import Allocation  # models import this module

    since = since or reporting_since()
    sums = {**allocation_sums(since=since, prefiltered=True), "over_quota_count": over_quota_count(prefiltered=True)}
    rows = Allocation.objects.filter(**{owner: OuterRef(outer)}).filter(counts_as_allocated()).order_by().values(owner)
    figures = {}
    for name in names:
        value = Subquery(rows.annotate(value=sums[name]).values("value"), output_field=_BYTES)
        # No allocation at all: nothing allocated and none not reporting, but used stays unknown (NULL).
        figures[name] = value if name in _UNKNOWN_WHEN_EMPTY else Coalesce(value, Value(0), output_field=_BYTES)
    return figures


_UNKNOWN_WHEN_EMPTY = ("used_bytes", "physical_used_bytes", "reduced_logical_bytes", "reduced_physical_bytes")
