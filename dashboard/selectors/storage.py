"""Capacity figures for the fleet, each site, array and pool, from ONE SQL query.

The quantities and which allocations count are defined once, in inventory.figures (docs/domain.md):
the query embeds its ``allocation_sums_query`` for the per-pool sums, exactly what the admin annotates.

Choices:

* Fleet and site totals count **in-service** arrays only (active, maintenance);
  planned and retired arrays still get their own rows.

Why one hand-written query: every level needs the same sums over 40,000
allocations at national scale; scanning them once per level would multiply the cost.
Here the allocations are summed once per pool, joined to pools, arrays and sites,
and ``GROUPING SETS`` adds the array, site and fleet rows in the same pass. An
array's raw and usable capacity are carried on its first pool row only (a
window function), so no level counts an array twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from inventory.figures import allocation_sums_query
from inventory.models import Allocation, PoolDailyUsage, StorageArray

ACTIVE = Allocation.Status.ACTIVE
IN_SERVICE = (StorageArray.Lifecycle.ACTIVE, StorageArray.Lifecycle.MAINTENANCE)
#: A pool whose allocations reach this share of its allowed maximum is "nearly overcommitted" (docs/domain.md).
NEARLY_OVERCOMMITTED_PERCENT = 95

_FIGURES_SQL = """
WITH allocation_sums AS (
    SELECT pool_id,
           allocated_bytes AS allocated,
           used_bytes AS used,
           physical_used_bytes AS physical,
           reduced_logical_bytes AS reduced_logical,
           reduced_physical_bytes AS reduced_physical,
           allocation_count AS allocations,
           not_reporting_count AS not_reporting
    FROM ({allocation_sums}) AS sums
), base AS (
    SELECT s.id AS site_id, a.id AS array_id, p.id AS pool_id,
           a.lifecycle_status = ANY(%s) AS in_service,
           CASE WHEN row_number() OVER (PARTITION BY a.id ORDER BY p.id) = 1 THEN a.raw_bytes ELSE 0 END AS raw,
           CASE WHEN row_number() OVER (PARTITION BY a.id ORDER BY p.id) = 1 THEN a.usable_bytes ELSE 0 END
               AS array_usable,
           COALESCE(p.capacity_bytes, 0) AS pooled,
           COALESCE(inventory_allowed_bytes(p.capacity_bytes, p.max_oversubscription), 0) AS allocatable,
           COALESCE(x.allocated, 0) AS allocated,
           COALESCE(x.used, 0) AS used,
           COALESCE(x.physical, 0) AS physical,
           x.reduced_logical, x.reduced_physical,
           COALESCE(x.allocations, 0) AS allocations,
           COALESCE(x.not_reporting, 0) AS not_reporting,
           CASE WHEN p.id IS NULL THEN 0 ELSE 1 END AS pools
    FROM inventory_storagearray a
    JOIN inventory_site s ON s.id = a.site_id
    LEFT JOIN inventory_storagepool p ON p.array_id = a.id
    LEFT JOIN allocation_sums x ON x.pool_id = p.id
    {base_filter}
), grouped AS (
    SELECT GROUPING(site_id, array_id, pool_id) AS level_bits, in_service, site_id, array_id, pool_id,
           SUM(raw) AS raw, SUM(array_usable) AS array_usable, SUM(pooled) AS pooled,
           SUM(allocatable) AS allocatable, SUM(allocated) AS allocated, SUM(used) AS used,
           SUM(physical) AS physical, SUM(reduced_logical) AS reduced_logical,
           SUM(reduced_physical) AS reduced_physical, SUM(allocations) AS allocations,
           SUM(not_reporting) AS not_reporting, SUM(pools) AS pools
    FROM base
    GROUP BY GROUPING SETS ((in_service), (in_service, site_id), (site_id, array_id), (site_id, array_id, pool_id))
)
SELECT CASE g.level_bits WHEN 0 THEN 'pool' WHEN 1 THEN 'array' WHEN 3 THEN 'site' ELSE 'fleet' END AS level,
       g.site_id, s.name AS site_name, s.slug AS site_slug,
       g.array_id, a.name AS array_name, a.slug AS array_slug, a.lifecycle_status, a.media_type,
       g.pool_id, p.name AS pool_name, p.slug AS pool_slug, p.tier,
       COALESCE(p.warning_threshold, 80) AS warning_threshold,
       COALESCE(p.critical_threshold, 90) AS critical_threshold,
       p.max_oversubscription,
       CASE WHEN g.level_bits = 0 THEN NULL ELSE g.raw END AS raw_bytes,  -- raw is an array's, not a pool's
       CASE WHEN g.level_bits = 0 THEN g.pooled ELSE g.array_usable END AS usable_bytes,
       g.pooled AS pooled_bytes,
       g.allocatable AS allocatable_bytes,
       g.allocated AS allocated_bytes,
       g.used AS used_bytes,
       g.physical AS physical_used_bytes,
       (CASE WHEN g.level_bits = 0 THEN g.pooled ELSE g.array_usable END) - g.physical AS free_bytes,
       g.allocated * 100.0 / NULLIF(g.allocatable, 0) AS allocated_percent,
       g.physical * 100.0 / NULLIF(CASE WHEN g.level_bits = 0 THEN g.pooled ELSE g.array_usable END, 0)
           AS used_percent,
       g.allocated * 1.0 / NULLIF(CASE WHEN g.level_bits = 0 THEN g.pooled ELSE g.array_usable END, 0)
           AS oversubscription,
       g.reduced_logical * 1.0 / NULLIF(g.reduced_physical, 0) AS reduction_ratio,
       -- docs/domain.md: allocations at or above 95 per cent of the allowed maximum (exact integer comparison).
       g.allocatable > 0 AND g.allocated * 100 >= g.allocatable * %s AS nearly_overcommitted,
       g.allocations AS allocation_count,
       g.not_reporting AS not_reporting_count,
       g.pools AS pool_count
FROM grouped g
LEFT JOIN inventory_site s ON s.id = g.site_id
LEFT JOIN inventory_storagearray a ON a.id = g.array_id
LEFT JOIN inventory_storagepool p ON p.id = g.pool_id
WHERE g.level_bits IN (0, 1)  -- pools and arrays of every lifecycle
   OR g.in_service           -- sites and the fleet: in-service arrays only
"""
_FIGURES_ORDER = "ORDER BY site_name NULLS FIRST, array_name NULLS FIRST, pool_name NULLS FIRST"

# Only the fullest arrays and pools (and the pools asked for), with how many there are of each: for a page
# that shows a few of hundreds, so that Python does not build a row for every pool (the overview on the wide
# shape: 600 pools, 160 arrays). The sums are the same; only the rows handed back are fewer.
_FULLEST_SQL = """
WITH figures AS ({figures}), ranked AS (
    SELECT f.*,
           row_number() OVER (PARTITION BY f.level ORDER BY f.used_percent DESC NULLS LAST, f.array_id, f.pool_id)
               AS fullness_rank,
           count(*) OVER (PARTITION BY f.level) AS level_count
    FROM figures f
)
SELECT * FROM ranked
WHERE level IN ('site', 'fleet') OR fullness_rank <= %s OR pool_id = ANY(%s)
{order}
"""

_INTEGER_COLUMNS = frozenset(
    {
        "raw_bytes",
        "usable_bytes",
        "pooled_bytes",
        "allocatable_bytes",
        "allocated_bytes",
        "used_bytes",
        "physical_used_bytes",
        "free_bytes",
        "allocation_count",
        "not_reporting_count",
        "pool_count",
    }
)


@dataclass
class Figures:
    """Capacity figures at every level; rows are dicts with the columns of the query."""

    fleet: dict[str, Any] = field(default_factory=dict)
    sites: list[dict[str, Any]] = field(default_factory=list)
    arrays: list[dict[str, Any]] = field(default_factory=list)
    pools: list[dict[str, Any]] = field(default_factory=list)
    #: How many arrays and pools there are (set when only the fullest rows were asked for).
    array_count: int | None = None
    pool_count: int | None = None

    def arrays_with_pools(self) -> list[dict[str, Any]]:
        """Each array row with its pool rows under ``pools`` (grouping, no arithmetic)."""
        by_array: dict[int, list] = {}
        for pool in self.pools:
            by_array.setdefault(pool["array_id"], []).append(pool)
        return [{**array, "pools": by_array.get(array["array_id"], [])} for array in self.arrays]


def _empty_fleet() -> dict[str, Any]:
    return {column: 0 for column in _INTEGER_COLUMNS} | {
        "allocated_percent": None,
        "used_percent": None,
        "oversubscription": None,
        "reduction_ratio": None,
        "nearly_overcommitted": False,
    }


def capacity_figures(
    *,
    array_id: int | None = None,
    pool_id: int | None = None,
    array_ids: Sequence[int] | None = None,
    fullest: int | None = None,
    keep_pools: Sequence[int] = (),
) -> Figures:
    """Fleet, site, array and pool figures in one query; restrict to one array, one pool, or the arrays
    *array_ids* (a page of the storage list) if given.

    With a restriction, the fleet and site rows cover only those arrays or that pool. With *fullest*, only
    that many array and pool rows come back, the fullest (used ÷ usable) first, plus the pools *keep_pools*;
    ``array_count`` and ``pool_count`` still count them all.
    """
    allocations = Allocation.objects.all()
    base_filter = ""
    base_params: list[Any] = []
    if pool_id is not None:
        allocations = allocations.filter(pool_id=pool_id)
        base_filter, base_params = "WHERE p.id = %s", [pool_id]
    elif array_id is not None:
        allocations = allocations.filter(pool__array_id=array_id)
        base_filter, base_params = "WHERE a.id = %s", [array_id]
    elif array_ids is not None:
        if not array_ids:  # an empty page: nothing to sum (and `IN ()` is no SQL)
            return Figures(fleet=_empty_fleet())
        allocations = allocations.filter(pool__array_id__in=list(array_ids))
        base_filter, base_params = "WHERE a.id = ANY(%s)", [list(array_ids)]
    # Which allocations count and how they are summed: inventory.figures, as in the admin.
    sums_sql, sums_params = allocation_sums_query(allocations, "pool_id").query.sql_with_params()
    sql = _FIGURES_SQL.format(allocation_sums=sums_sql, base_filter=base_filter)
    params = [*sums_params, list(IN_SERVICE), *base_params, NEARLY_OVERCOMMITTED_PERCENT]
    if fullest is None:
        sql = f"{sql}{_FIGURES_ORDER}"
    else:
        sql = _FULLEST_SQL.format(figures=sql, order=_FIGURES_ORDER)
        params += [fullest, list(keep_pools)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    figures = Figures(fleet=_empty_fleet())
    for row in rows:
        if "level_count" in row:
            count = int(row.pop("level_count"))
            row.pop("fullness_rank")
            if row["level"] == "array":
                figures.array_count = count
            elif row["level"] == "pool":
                figures.pool_count = count
        for column in _INTEGER_COLUMNS:
            if isinstance(row[column], Decimal):
                row[column] = int(row[column])
        level = row["level"]
        if level == "fleet":
            figures.fleet = row
        elif level == "site":
            figures.sites.append(row)
        elif level == "array":
            figures.arrays.append(row)
        else:
            figures.pools.append(row)
    return figures


def pool_figures(pool_id: int) -> dict[str, Any]:
    """One pool's figures (the same query, restricted): one query."""
    pools = capacity_figures(pool_id=pool_id).pools
    return pools[0] if pools else {}


#: How far back the pool usage chart looks.
CHART_DAYS = 90


def pool_daily_usage(
    pool_id: int, *, days: int | None = CHART_DAYS, today: dt.date | None = None
) -> list[tuple[dt.date, int]]:
    """[(day, physical used bytes)] of one pool over the last *days* days (None: every day), from the daily
    rollup (one query whatever the period).

    The same series the forecast fits (physical where reported, else logical), so the chart
    and "days until full" tell the same story.
    """
    today = today or timezone.now().astimezone(dt.UTC).date()
    rows = PoolDailyUsage.objects.filter(pool_id=pool_id, day__lte=today, allocations__gt=0)
    if days is not None:
        rows = rows.filter(day__gt=today - dt.timedelta(days=days))
    return list(rows.order_by("day").values_list("day", "physical_used_bytes"))


def storage_arrays_in_order():
    """Every array's id in the storage page's order (site, then array name): what its pages cut."""
    return StorageArray.objects.order_by("site__name", "name", "pk").values_list("pk", flat=True)
