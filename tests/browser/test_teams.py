"""The team list sorts in place: htmx swaps the table and pushes the sorted URL, no full reload."""

import re

from django.db.models import F, Q, Sum
from django.db.models.functions import Lower
from playwright.sync_api import expect

from inventory.models import Allocation, Team

ALL_TEAMS = "#results tbody th[scope=row] a"


def teams_by_usage(*, descending: bool) -> list[str]:
    """Team names by logical used over active allocations, unreported last either way (the ORM's view)."""
    active = Q(projects__allocations__status=Allocation.Status.ACTIVE)
    used = F("used").desc(nulls_last=True) if descending else F("used").asc(nulls_last=True)
    return list(
        Team.objects.annotate(used=Sum("projects__allocations__used_bytes", filter=active))
        .order_by(used, "pk")
        .values_list("name", flat=True)
    )


def sort_link(page, label: str):
    # The sorted column's header gets an arrow from CSS, which joins the link's accessible name.
    return page.locator("#results thead").get_by_role("link", name=re.compile(rf"^{label}( [▲▼])?$"))


def test_sorting_teams_by_usage_swaps_the_table_and_the_url_without_a_reload(demo, log_in, page):
    log_in("researcher")
    page.goto(f"{demo.url}/teams/")
    names = page.locator(ALL_TEAMS)
    before = names.all_inner_texts()
    assert before == list(Team.objects.order_by(Lower("name"), "pk").values_list("name", flat=True))
    # A full page load would start a new window object and lose this.
    page.evaluate("window.__marker = 1")

    sort_link(page, "Used").click()

    expect(page).to_have_url(re.compile(r"/teams/\?sort=-used$"))
    largest_first = teams_by_usage(descending=True)
    expect(names).to_have_text(largest_first)
    assert largest_first != before
    expect(page.locator("#results thead th[aria-sort=descending]")).to_have_text("Used")
    assert page.evaluate("window.__marker") == 1
    # "My teams" above the table is still there: only the table was replaced.
    expect(page.get_by_role("heading", name="My teams")).to_be_visible()

    # The same header again reverses the order.
    sort_link(page, "Used").click()
    expect(page).to_have_url(re.compile(r"/teams/\?sort=used$"))
    expect(names).to_have_text(teams_by_usage(descending=False))
    expect(page.locator("#results thead th[aria-sort=ascending]")).to_have_text("Used")
    assert page.evaluate("window.__marker") == 1
    assert page.console_errors == []
