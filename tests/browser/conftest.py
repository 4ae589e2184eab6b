"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Where Chromium is missing they are skipped, and the run's summary says so
(see tests/conftest.py). CI (.ci/run) installs Chromium so they always run there.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SKIP_REASON = "Chromium not found (install Debian's package: apt-get install -y chromium); browser tests skipped"
HERE = Path(__file__).resolve().parent
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not HAVE_CHROMIUM:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Let Django's ORM run beside Playwright's event loop, for browser tests only.

    Playwright's sync API keeps an event loop running in this thread, so Django would refuse
    every ORM call (the test's data, and pytest-django's database setup and flush around the
    test). The calls are still synchronous and safe. Setting the variable around the whole
    protocol (setup, call, teardown) covers pytest-django's fixtures; other tests never see it
    (this hook is called for every test in the run, hence the check).
    """
    if HERE not in item.path.parents:
        return (yield)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        return (yield)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Package scope: one Chromium for all browser tests, closed (and its event loop with it)
# before the rest of the suite runs, so later tests keep Django's async-safety check.
@pytest.fixture(scope="package")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, monkeypatch):
    """A fresh browser page that records console errors and failed requests."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Fail in seconds, not Playwright's default 30: the live server answers in milliseconds.
    page.set_default_timeout(5_000)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as a test artifact (test-artifacts/screenshots/NAME.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo(transactional_db, settings):
    """The demo scenario (``seed_demo`` at scale 1) committed for the live server; about a second.

    Its logins (researcher, infra, manager) have their username as password; MD5 hashing keeps
    creating and checking them fast (test only). The flush that ends every transactional test
    also empties the tables the roles migration filled, so the two groups are put back first.
    """
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    from inventory.demo.loader import ALLOCATION_MANAGERS, INFRASTRUCTURE_ADMINS

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    inventory_permissions = Permission.objects.filter(content_type__app_label="inventory")
    Group.objects.get_or_create(name=INFRASTRUCTURE_ADMINS)[0].permissions.set(inventory_permissions)
    Group.objects.get_or_create(name=ALLOCATION_MANAGERS)[0].permissions.set(
        inventory_permissions.filter(codename__startswith="view_")
        | inventory_permissions.filter(codename__in=["change_allocation", "approve_allocation"])
    )
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def log_in(page, live_server):
    """``log_in("researcher")``: give the page (or another *context*) a signed-in session, skipping the form."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    def as_user(username: str, *, context=None):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        (context or page.context).add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return as_user
