"""With JavaScript off the pages still work: sort headers are plain links, filters and the units toggle plain forms.

One test walks through all three, so the demo is loaded once (each browser test pays ~3 s to seed and flush).
"""

import re

import pytest
from django.db.models import F, Q, Sum
from playwright.sync_api import expect

from inventory.models import Allocation, Team


@pytest.fixture
def no_js_page(chromium, log_in):
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    log_in("researcher", context=context)
    yield context.new_page()
    context.close()


def test_sort_links_filter_form_and_units_toggle_work_without_javascript(demo, no_js_page):
    page = no_js_page

    # Sorting: the header is an ordinary link to ?sort=-used; the whole page comes back sorted.
    page.goto(f"{demo.url}/teams/")
    page.locator("#results thead").get_by_role("link", name="Used", exact=True).click()
    expect(page).to_have_url(re.compile(r"/teams/\?sort=-used$"))
    active = Q(projects__allocations__status=Allocation.Status.ACTIVE)
    expected = list(
        Team.objects.annotate(used=Sum("projects__allocations__used_bytes", filter=active))
        .order_by(F("used").desc(nulls_last=True), "pk")
        .values_list("name", flat=True)
    )
    expect(page.locator("#results tbody th[scope=row] a")).to_have_text(expected)
    expect(page.get_by_role("heading", name="My teams")).to_be_visible()

    # Units: the toggle is a POST form that sends the browser back to the same sorted page.
    used_cell = page.locator("#results tbody tr").first.locator("td").nth(2)
    expect(used_cell).to_have_text(re.compile(r" (TB|PB)$"))
    page.get_by_role("button", name=re.compile(r"^Units: TB")).click()
    expect(page).to_have_url(re.compile(r"/teams/\?sort=-used$"))
    expect(used_cell).to_have_text(re.compile(r" (TiB|PiB)$"))

    # Filtering: choosing a status and pressing Apply submits the form as a GET.
    page.goto(f"{demo.url}/allocations/")
    expired = Allocation.objects.filter(status=Allocation.Status.EXPIRED).count()
    page.get_by_label("Status").select_option("expired")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/allocations/\?(.*&)?status=expired(&|$)"))
    expect(page.locator("#results .pagination")).to_contain_text(f"{expired} allocations")
    expect(page.locator("#results tbody tr")).to_have_count(expired)
    expect(page.get_by_label("Status")).to_have_value("expired")
