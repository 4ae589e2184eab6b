"""The overview's fleet totals and array rows are the database's figures, formatted as the rest of the app formats them."""

import math

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from playwright.sync_api import expect

from inventory.models import Allocation, StorageArray, StoragePool
from inventory.units import format_bytes_exact, format_capacity

IN_SERVICE = [StorageArray.Lifecycle.ACTIVE, StorageArray.Lifecycle.MAINTENANCE]


def expected_fleet() -> dict[str, int]:
    """docs/domain.md's quantities over in-service arrays and their active allocations, straight from the ORM."""
    arrays = StorageArray.objects.filter(lifecycle_status__in=IN_SERVICE).aggregate(
        raw=Sum("raw_bytes"), usable=Sum("usable_bytes")
    )
    allocations = Allocation.objects.filter(
        status=Allocation.Status.ACTIVE, pool__array__lifecycle_status__in=IN_SERVICE
    ).aggregate(
        allocated=Sum("quota_bytes"),
        used=Sum("used_bytes"),
        # A system that reports no physical usage: its logical figure stands in (see selectors.storage).
        physical=Sum(Coalesce("physical_used_bytes", "used_bytes")),
    )
    pools = StoragePool.objects.filter(array__lifecycle_status__in=IN_SERVICE)
    allocatable = sum(math.floor(p.capacity_bytes * p.max_oversubscription) for p in pools)
    return {
        "Raw": arrays["raw"],
        "Usable": arrays["usable"],
        "Allocated": allocations["allocated"],
        "Used (logical)": allocations["used"],
        "Used (physical)": allocations["physical"],
        "Free": arrays["usable"] - allocations["physical"],
        "allocatable": allocatable,
    }


def test_fleet_totals_and_array_rows_match_the_database(demo, log_in, page):
    expected = expected_fleet()
    assert all(value > 0 for value in expected.values())
    log_in("researcher")
    page.goto(f"{demo.url}/")

    totals = page.get_by_role("region", name="Fleet totals")
    for label in ("Raw", "Usable", "Allocated", "Used (logical)", "Used (physical)", "Free"):
        figure = totals.locator(f"dt:text-is('{label}') + dd")
        expect(figure).to_have_text(format_capacity(expected[label]))
        expect(figure).to_have_attribute("title", format_bytes_exact(expected[label]))
    expect(totals.locator("dt:text-is('Allocated') ~ dd.stat-note")).to_contain_text(
        f"of {format_capacity(expected['allocatable'])} allowed"
    )

    # Each array's row in the utilisation section.
    active = Q(pools__allocations__status=Allocation.Status.ACTIVE)
    arrays = StorageArray.objects.annotate(allocated=Sum("pools__allocations__quota_bytes", filter=active)).order_by(
        "site__name", "name"
    )
    rows = page.get_by_role("table", name="Capacity of each array").locator("tbody tr")
    expect(rows).to_have_count(len(arrays))
    for row, array in zip(rows.all(), arrays, strict=True):
        expect(row.locator("th")).to_contain_text(array.name)
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(format_capacity(array.usable_bytes))
        expect(cells.nth(1)).to_have_text(format_capacity(array.allocated or 0))
    assert page.console_errors == []
