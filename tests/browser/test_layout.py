"""Every dashboard page fits a 390 px phone and a 1440 px desktop without sideways scrolling.

Pages are listed once (``dashboard_pages``) and visited for each width and each language in
``LANGUAGES``: adding a translation adds its code there (the page is asked for with that
``Accept-Language``), not another test.
"""

import pytest

from inventory.models import Allocation, ResearchProject, StoragePool, Team

#: Interface languages the pages are checked in (add "nb" once the Norwegian translation is in).
LANGUAGES = ["en"]
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
    return {
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
        "collectors": "/collectors/",
        "api-tokens": "/api/tokens/",
    }


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


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(demo, log_in, page, dashboard_pages, language, width, screenshot):
    log_in("infra")  # staff: the widest tables
    page.set_viewport_size({"width": width, "height": 900})
    page.context.set_extra_http_headers({"Accept-Language": language})
    wide = {}
    for name, path in dashboard_pages.items():
        response = page.goto(f"{demo.url}{path}")
        assert response.status == 200, f"{path}: HTTP {response.status}"
        found = _overflow(page)
        screenshot(page, f"layout-{language}-{width}-{name}")  # to look at (test-artifacts/screenshots/)
        if found["scroll"] > found["inner"] or (width >= DESKTOP and found["tables"]):
            wide[name] = found
    assert wide == {}
