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
