"""Every dashboard page fits a 390 px phone and a 1440 px desktop without sideways scrolling.

Pages are listed once (``dashboard_pages``) and visited for each width and each language in
``LANGUAGES``: adding a translation adds its code there (the page is asked for with that
``Accept-Language``), not another test.
"""

import pytest

from inventory.models import Allocation, Institution, ResearchProject, StoragePool, Team

#: Interface languages the pages are checked in (Accept-Language; the page must answer in it).
LANGUAGES = ["en", "nb"]
#: A phone (iPhone 12-15) and a common desktop width.
WIDTHS = [390, 1440]
#: From this width on, every table fits without scrolling inside its box.
DESKTOP = 1440


@pytest.fixture
def dashboard_pages(demo):
    """Every dashboard page a staff user can open, by name (staff see the most columns)."""
    team = Team.objects.get(slug="uio-ltg")
    project = ResearchProject.objects.filter(team=team).order_by("code").first()
    pool = StoragePool.objects.select_related("array").order_by("array__name", "name").first()
    allocation = Allocation.objects.filter(status=Allocation.Status.ACTIVE).order_by("pk").first()
    institution = Institution.objects.order_by("slug").first()
    return {
        "me": "/me/",
        "overview": "/",
        "storage": "/storage/",
        "array": f"/storage/{pool.array.slug}/",
        "pool": f"/storage/{pool.array.slug}/{pool.slug}/",
        "teams": "/teams/",
        "team": team.get_absolute_url(),
        "projects": "/projects/",
        "project": project.get_absolute_url(),
        "allocations": "/allocations/",
        "allocation": f"/allocations/{allocation.pk}/",
        "search": "/search/?q=an",  # matches projects, teams, pools and (staff) people
        "institutions": "/institutions/",
        "institution": institution.get_absolute_url(),
        "showback": "/reports/showback/",
        "requests": "/requests/",
        "collectors": "/collectors/",
        "api-tokens": "/api/tokens/",
        "notifications": "/me/notifications/",
    }


@pytest.fixture
def researcher_pages(demo):
    """The pages only a researcher sees as such: their own page and asking for storage for their project."""
    from django.contrib.auth import get_user_model

    researcher = get_user_model().objects.get(username="researcher")
    project = ResearchProject.objects.filter(team__memberships__user=researcher).order_by("code").first()
    return {"me-researcher": "/me/", "request-storage": f"/projects/{project.code}/request/"}


def _overflow(page) -> dict:
    """How far the document is wider than the window, and the widest elements that stick out."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const clipped = el => {
                for (let up = el.parentElement; up; up = up.parentElement) {
                    if (getComputedStyle(up).overflowX !== 'visible' && getComputedStyle(el).position !== 'absolute') return true;
                }
                return false;
            };
            const culprits = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1 && !clipped(el))
                .slice(-5)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                           + ' ' + Math.round(el.getBoundingClientRect().right));
            // Tables scroll inside their own box; on a desktop none should need to.
            const tables = [...document.querySelectorAll('.table-scroll')]
                .filter(box => box.scrollWidth > box.clientWidth + 1)
                .map(box => (box.querySelector('caption') || box).textContent.trim().slice(0, 60));
            return {scroll: document.documentElement.scrollWidth, inner: width, culprits, tables};
        }"""
    )


def _wide_pages(page, demo, pages, language, width, screenshot) -> dict:
    """The pages of *pages* that scroll sideways (or, on a desktop, have a table that must scroll)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.context.set_extra_http_headers({"Accept-Language": language})
    wide = {}
    for name, path in pages.items():
        response = page.goto(f"{demo.url}{path}")
        assert response.status == 200, f"{path}: HTTP {response.status}"
        assert page.evaluate("document.documentElement.lang").startswith(language), f"{path}: not in {language}"
        found = _overflow(page)
        screenshot(page, f"layout-{language}-{width}-{name}")  # to look at (test-artifacts/screenshots/)
        if found["scroll"] > found["inner"] or (width >= DESKTOP and found["tables"]):
            wide[name] = found
    return wide


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(demo, log_in, page, dashboard_pages, language, width, screenshot):
    log_in("infra")  # staff: the widest tables
    assert _wide_pages(page, demo, dashboard_pages, language, width, screenshot) == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_researcher_page_scrolls_sideways(demo, log_in, page, researcher_pages, language, width, screenshot):
    log_in("researcher")
    assert _wide_pages(page, demo, researcher_pages, language, width, screenshot) == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_login_page_fits_in_every_language(demo, page, language, width, screenshot):
    """Before signing in: the login page, with the language switcher in the header."""
    page.set_viewport_size({"width": width, "height": 900})
    page.context.set_extra_http_headers({"Accept-Language": language})
    response = page.goto(f"{demo.url}/accounts/login/")
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang").startswith(language)
    found = _overflow(page)
    screenshot(page, f"layout-{language}-{width}-login")
    assert found["scroll"] <= found["inner"], found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_language_switcher_changes_the_language_without_javascript(demo, log_in, chromium, width):
    """The header's select and button, as a person uses them: the page comes back in the other language."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    context.set_extra_http_headers({"Accept-Language": "en"})
    try:
        page = context.new_page()
        log_in("infra", context=context)
        page.goto(f"{demo.url}/teams/")
        assert page.locator("h1").inner_text() == "Teams"
        page.select_option("#language-select", "nb")
        page.get_by_role("button", name="Change language").click()
        page.wait_for_url(f"{demo.url}/teams/")
        assert page.locator("h1").inner_text() == "Team"
        assert page.locator("html").get_attribute("lang") == "nb"
        page.select_option("#language-select", "en-gb")
        page.get_by_role("button", name="Bytt språk").click()
        assert page.locator("h1").inner_text() == "Teams"
    finally:
        context.close()
