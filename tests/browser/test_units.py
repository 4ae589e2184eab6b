"""The units toggle: decimal TB by default, binary TiB on request, remembered for the user."""

import re

from django.db.models import Sum
from playwright.sync_api import expect

from inventory.models import Allocation
from inventory.units import format_capacity

TEAM = "Language Technology Group"  # the demo researcher's first team


def allocated_cell(page):
    row = page.locator("#results tbody tr").filter(has=page.get_by_role("link", name=TEAM, exact=True))
    return row.locator("td").nth(1)  # Projects, Allocated, Used, ...


def test_units_toggle_switches_tb_to_tib_and_is_remembered(demo, log_in, page):
    allocated = Allocation.objects.filter(project__team__name=TEAM, status=Allocation.Status.ACTIVE).aggregate(
        total=Sum("quota_bytes")
    )["total"]
    decimal, binary = format_capacity(allocated), format_capacity(allocated, binary=True)
    assert re.search(r" [kMGTPE]B$", decimal) and re.search(r" [KMGTPE]iB$", binary)
    log_in("researcher")
    page.goto(f"{demo.url}/teams/?sort=-used")
    expect(allocated_cell(page)).to_have_text(decimal)

    page.get_by_role("button", name=re.compile(r"^Units: TB")).click()

    # Back on the same page (sort kept), now in binary units.
    expect(page).to_have_url(f"{demo.url}/teams/?sort=-used")
    expect(allocated_cell(page)).to_have_text(binary)
    expect(page.get_by_role("button", name=re.compile(r"^Units: TiB"))).to_be_visible()
    page.reload()
    expect(allocated_cell(page)).to_have_text(binary)
    # ...and on the next page too: the choice belongs to the user, not the page.
    page.goto(f"{demo.url}/allocations/")
    expect(page.locator("#results tbody td.num").first).to_have_text(re.compile(r" (TiB|PiB|GiB)$"))

    page.get_by_role("button", name=re.compile(r"^Units: TiB")).click()
    expect(page).to_have_url(f"{demo.url}/allocations/")
    expect(page.locator("#results tbody td.num").first).to_have_text(re.compile(r" (TB|PB|GB)$"))
    assert page.console_errors == []
