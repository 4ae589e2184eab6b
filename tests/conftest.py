"""Shared fixtures for the whole suite."""

import pytest
from django.contrib.auth import get_user_model


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
