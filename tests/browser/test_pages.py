"""Every page type loads cleanly in a real browser and is saved as a screenshot (test-artifacts/screenshots/).

(The login page: see test_login.py.)

A console error fails the test: a missing static file, a script error, or a Content-Security-Policy
violation (Chromium reports those on the console) all show up there.
"""

import pytest

from inventory.models import Allocation, ResearchProject, StoragePool, Team


def visit_all(page, server, screenshot, pages: dict[str, str]) -> dict[str, list[str]]:
    """Open each page; return the problems found per screenshot name (empty when all is well)."""
    problems = {}
    for name, path in pages.items():
        page.console_errors.clear()
        # goto returns after the load event: stylesheets, scripts and images are in, scripts have run.
        response = page.goto(f"{server.url}{path}")
        found = list(page.console_errors)
        if response.status != 200:
            found.insert(0, f"HTTP {response.status} for {path}")
        if page.url.split("?")[0] != f"{server.url}{path}".split("?")[0]:
            found.insert(0, f"{path} ended at {page.url}")
        screenshot(page, name)
        if found:
            problems[name] = found
    return problems


@pytest.fixture
def sample(demo):
    """One of each object, chosen where the demo has the most to show."""
    team = Team.objects.get(slug="uio-ltg")  # the researcher's team
    pool = StoragePool.objects.select_related("array").order_by("array__name", "name").first()
    return {
        "team": team,
        "project": ResearchProject.objects.filter(team=team).order_by("code").first(),
        "array": pool.array,
        "pool": pool,
        "allocation": Allocation.objects.filter(status=Allocation.Status.ACTIVE).order_by("pk").first(),
    }


def test_every_page_loads_without_console_errors(sample, demo, log_in, page, screenshot):
    log_in("researcher")
    researcher_pages = {
        "overview": "/",
        "teams": "/teams/",
        "team-detail": sample["team"].get_absolute_url(),
        "projects": "/projects/",
        "project-detail": sample["project"].get_absolute_url(),
        "storage": "/storage/",
        "array-detail": f"/storage/{sample['array'].slug}/",
        "pool-detail": f"/storage/{sample['array'].slug}/{sample['pool'].slug}/",
        "allocations": "/allocations/",
    }
    problems = visit_all(page, demo, screenshot, researcher_pages)

    log_in("infra")  # replaces the session cookie: staff from here on
    staff_pages = {
        "overview-staff": "/",
        "allocations-staff": "/allocations/?status=requested",
        "admin-index": "/admin/",
        "admin-allocation-changelist": "/admin/inventory/allocation/",
        "admin-allocation-change": f"/admin/inventory/allocation/{sample['allocation'].pk}/change/",
        "admin-array-change": f"/admin/inventory/storagearray/{sample['array'].pk}/change/",
        "admin-usage-imports": "/admin/inventory/usageimport/",
        "admin-usage-import-upload": "/admin/inventory/usageimport/import/",
    }
    problems |= visit_all(page, demo, screenshot, staff_pages)
    assert problems == {}


def test_a_content_security_policy_violation_shows_up_as_a_console_error(demo, log_in, page):
    """The check above can fail: an inline script (which the CSP forbids) is refused and reported."""
    log_in("researcher")
    page.goto(f"{demo.url}/teams/")
    assert page.console_errors == []

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.head.append(s); }"
    )

    page.wait_for_function("() => true")  # one round trip: the console message has arrived by now
    assert page.evaluate("window.__ran") is None
    assert any("Content Security Policy" in error for error in page.console_errors), page.console_errors
