"""Shared fixtures for the whole suite."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a request through LocaleMiddleware leaves the language it
    chose (bokmål, for the translation tests) active in the thread, and a later test would see it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def researcher(db):
    return get_user_model().objects.create_user("rita", "rita@example.org", "pw-researcher-1")


@pytest.fixture
def researcher_client(client, researcher):
    client.force_login(researcher)
    return client


def pytest_terminal_summary(terminalreporter):
    """Say clearly when the browser tests did not run."""
    from tests.browser.conftest import HAVE_CHROMIUM, SKIP_REASON

    if not HAVE_CHROMIUM:
        terminalreporter.write_sep("=", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(SKIP_REASON)
