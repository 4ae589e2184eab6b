"""The chart's period and split links: with htmx only the chart is swapped (and the URL pushed); without
JavaScript the same links reload the page. One test per mode, each on a demo pool and team."""

import re

from playwright.sync_api import expect

from inventory.models import StoragePool, Team


def _team_with_projects() -> Team:
    return Team.objects.filter(projects__allocations__status="active").order_by("slug").first()


def test_period_and_split_links_swap_only_the_chart_with_htmx(demo, log_in, page, screenshot):
    log_in("researcher")
    team = _team_with_projects()
    page.goto(f"{demo.url}{team.get_absolute_url()}")
    page.evaluate("window.__marker = 1")  # a full reload would lose it
    controls = page.locator("#team-usage-block .chart-controls")

    controls.get_by_role("link", name="1 year").click()
    expect(page).to_have_url(re.compile(r"\?range=1y$"))
    expect(controls.locator("a[aria-current=true]").first).to_have_text("1 year")
    expect(page.locator("#team-usage-block figcaption")).to_contain_text("last 1 year")

    controls.get_by_role("link", name="By project").click()
    expect(page).to_have_url(re.compile(r"\?range=1y&split=project$"))
    expect(page.locator("#team-usage-block .chart-legend")).to_be_visible()
    expect(page.locator("#team-usage-block svg text", has_text="Quota:")).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    assert page.locator("#team-usage-block").count() == 1  # swapped, not nested
    page.locator("#team-usage-block").screenshot(
        path=str(screenshot(page, "team-chart-by-project").with_name("team-chart-block.png"))
    )
    assert page.console_errors == []

    pool = StoragePool.objects.filter(daily_usage__allocations__gt=0).distinct().order_by("pk").first()
    page.goto(f"{demo.url}{pool.get_absolute_url()}")
    expect(page.locator("#pool-usage-chart-block svg text", has_text="Capacity:")).to_be_visible()
    page.locator("#pool-usage-chart-block .chart-controls").get_by_role("link", name="All").click()
    expect(page).to_have_url(re.compile(r"\?range=all$"))
    expect(page.locator("#pool-usage-chart-block figcaption")).to_contain_text("all reported days")
    page.locator("#pool-usage-chart-block").screenshot(
        path=str(screenshot(page, "pool-chart").with_name("pool-chart-block.png"))
    )
    assert page.console_errors == []


def test_period_links_work_without_javascript(demo, log_in, chromium):
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    log_in("researcher", context=context)
    page = context.new_page()
    try:
        team = _team_with_projects()
        page.goto(f"{demo.url}{team.get_absolute_url()}")
        page.locator("#team-usage-block .chart-controls").get_by_role("link", name="30 days").click()
        expect(page).to_have_url(re.compile(r"\?range=30d$"))
        expect(page.locator("#team-usage-block figcaption")).to_contain_text("last 30 days")
        page.locator("#team-usage-block .chart-controls").get_by_role("link", name="By pool").click()
        expect(page).to_have_url(re.compile(r"\?range=30d&split=pool$"))
        expect(page.locator("#team-usage-block .chart-legend")).to_be_visible()
        expect(page.get_by_role("heading", name="Members")).to_be_visible()  # the whole page came back
    finally:
        context.close()
