"""With JavaScript off the lists still work: sort headers are plain links, filters a plain GET form."""

import re

import pytest
from django.db.models import F, Q, Sum
from playwright.sync_api import expect

from inventory.models import Allocation, Team


@pytest.fixture
def no_js_page(chromium, log_in):
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5_000)
    log_in("researcher", context=context)
    yield context.new_page()
    context.close()


def test_sort_header_is_a_plain_link(demo, live_server, no_js_page):
    page = no_js_page
    page.goto(f"{live_server.url}/teams/")

    page.locator("#results thead").get_by_role("link", name="Used", exact=True).click()

    expect(page).to_have_url(re.compile(r"/teams/\?sort=-used$"))
    active = Q(projects__allocations__status=Allocation.Status.ACTIVE)
    expected = list(
        Team.objects.annotate(used=Sum("projects__allocations__used_bytes", filter=active))
        .order_by(F("used").desc(nulls_last=True), "pk")
        .values_list("name", flat=True)
    )
    expect(page.locator("#results tbody th[scope=row] a")).to_have_text(expected)
    # The whole page came back from the server, "My teams" included.
    expect(page.get_by_role("heading", name="My teams")).to_be_visible()


def test_filter_form_submits_as_a_plain_get(demo, live_server, no_js_page):
    page = no_js_page
    page.goto(f"{live_server.url}/allocations/")
    expired = Allocation.objects.filter(status=Allocation.Status.EXPIRED).count()

    page.get_by_label("Status").select_option("expired")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"/allocations/\?(.*&)?status=expired(&|$)"))
    expect(page.locator("#results .pagination")).to_contain_text(f"{expired} allocations")
    expect(page.locator("#results tbody tr")).to_have_count(expired)
    expect(page.get_by_label("Status")).to_have_value("expired")


def test_units_toggle_is_a_plain_form(demo, live_server, no_js_page):
    page = no_js_page
    page.goto(f"{live_server.url}/teams/")
    expect(page.locator("#results tbody td.num").nth(1)).to_have_text(re.compile(r" TB$"))

    page.get_by_role("button", name=re.compile(r"^Units: TB")).click()

    expect(page).to_have_url(f"{live_server.url}/teams/")
    expect(page.locator("#results tbody td.num").nth(1)).to_have_text(re.compile(r" TiB$"))
