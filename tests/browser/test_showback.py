"""Showback and institution pages in a real browser: no console errors (CSP included), the form works."""

from tests.browser.test_pages import visit_all


def test_showback_and_institution_pages_load_cleanly(demo, log_in, page, screenshot):
    log_in("researcher")
    problems = visit_all(
        page,
        demo,
        screenshot,
        {
            "showback": "/reports/showback/",
            "institutions": "/institutions/",
            "institution-detail": "/institutions/uio/",
        },
    )
    log_in("infra")
    problems |= visit_all(
        page,
        demo,
        screenshot,
        {
            "showback-staff": "/reports/showback/",
            "admin-institutions": "/admin/inventory/institution/",
            "admin-tier-prices": "/admin/inventory/tierprice/",
        },
    )
    assert problems == {}


def test_picking_a_range_of_months_shows_a_bar_per_month(demo, log_in, page):
    log_in("infra")
    page.goto(f"{demo.url}/reports/showback/")
    page.get_by_role("link", name="Showback").wait_for()
    page.fill("input[name=from]", "2026-09")
    page.fill("input[name=to]", "2026-10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**from=2026-09**")
    assert page.locator("rect.bar-allocated").count() == 2
    assert page.get_by_role("columnheader", name="Cost (NOK)").first.is_visible()
