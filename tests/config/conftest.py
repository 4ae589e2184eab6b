"""Static files collected once for the tests that run gunicorn with production settings."""

import pytest

from tests.config.servers import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    directory = tmp_path_factory.mktemp("staticfiles")
    collect_static(directory)
    return str(directory)
