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
    every ORM call (the test's own queries, the fixtures' database setup, seeding and flush).
    The calls are still synchronous and safe. Setting the variable around the whole protocol
    (setup, call, teardown) covers the fixtures too; other tests never see it (this hook is
    called for every test in the run, hence the check).
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
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)

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
    # Fail in seconds, not Playwright's default 30: the live server answers in milliseconds,
    # but give a loaded CI machine some slack (expect()'s own default is 5 s).
    page.set_default_timeout(10_000)
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


def _close_connections() -> None:
    """Give this thread's database connections back (to the pool) before Playwright's loop stops or starts.

    Django keeps a thread's connections in asgiref's Local, which stores them apart (as a context
    variable) while an event loop runs in the thread. A connection opened while Playwright's loop
    runs is invisible once it has stopped, so nothing would ever close it, and dropping the test
    database at the end of the run would fail with "being accessed by other users".
    """
    from django.db import connections

    connections.close_all()


def _restore_roles() -> None:
    """Put back the permissions and the two role groups: a flush empties every table, and after a
    serialized-rollback test it does not even recreate the permissions."""
    from inventory.roles import ensure_roles

    ensure_roles()


@pytest.fixture(scope="package")
def browser_database(request, django_db_setup, django_db_blocker, django_db_keepdb):
    """Make sure the browser tests write to a TEST database, never the configured one.

    pytest-django creates the test database only when some test in the run uses the database
    through its markers or fixtures. The browser tests do not: a ``db`` test runs inside a
    transaction the live server cannot see into (a session made for ``log_in`` would not
    exist for it), and a transactional one is flushed after every test (see ``demo_server``).
    So when they run alone the test database is created here, the same way, and destroyed after.
    """
    from django.db import connection
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX
    from django.test.utils import setup_databases, teardown_databases

    # The function django_db_setup itself uses to decide which databases to create.
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, _ = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        created = None
        if "default" not in aliases:
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"}, keepdb=django_db_keepdb)
        name = connection.settings_dict["NAME"]
        if not (name.startswith(TEST_DATABASE_PREFIX) or name == connection.settings_dict["TEST"].get("NAME")):
            pytest.fail(f"browser tests refuse to load the demo into {name!r}: not a test database")
    yield
    if created is not None and not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="package")
def demo_server(browser_database, django_db_blocker):
    """pytest-django's live server over the demo scenario, loaded ONCE for all browser tests.

    Why not the ``live_server`` fixture: it makes every test transactional, and the flush after
    each one (a TRUNCATE of every table, ~1.7 s here) plus seeding again (~1.3 s) cost 3 s per
    test, which put the suite well over its one-minute budget. Here the demo is committed once,
    the server thread reads it, and the tables are flushed (roles put back) when the package is
    done, so later tests find the database as the migrations left it. Tests must not change the
    data the others read; the ``demo`` fixture undoes the one thing they do change (units).

    The demo's logins (researcher, infra, manager) have their username as password; MD5 hashing
    keeps creating and checking them fast (test only).
    """
    from django.core.management import call_command
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        django_db_blocker.unblock(),
    ):
        _restore_roles()
        call_command("seed_demo", reset=True, verbosity=0)
        _close_connections()
        server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            _restore_roles()
            _close_connections()


@pytest.fixture
def demo(demo_server, django_db_blocker):
    """The live server over the demo (``demo.url``), with the test's own ORM access to the same data.

    Do not combine with ``live_server``, ``db`` or ``transactional_db``: those would hide the
    committed demo from the test or flush it away.
    """
    from inventory.models import UnitPreference

    with django_db_blocker.unblock():
        UnitPreference.objects.all().delete()  # every test starts in the default (decimal) units
        try:
            yield demo_server
        finally:
            _close_connections()


@pytest.fixture
def log_in(page, demo):
    """``log_in("researcher")``: give the page (or another *context*) a signed-in session, skipping the form."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    def as_user(username: str, *, context=None):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        (context or page.context).add_cookies([{"name": cookie.key, "value": cookie.value, "url": demo.url}])
        return page

    return as_user
