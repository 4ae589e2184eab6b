"""The container health checks of Dockerfile and docker-compose.yml pass with production settings."""

import re
import subprocess
import sys

import pytest
import yaml
from django.db import connection

from tests.config.servers import ROOT, get, gunicorn

DOCUMENTED_URL = "http://127.0.0.1:8000/healthz"


def _dockerfile_command() -> str:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.strip().startswith("HEALTHCHECK"))
    return re.search(r"CMD python -c \"(.*)\"\s*$", line).group(1)


def _compose_command() -> str:
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    return test[3]


# gunicorn reads the test database from another process: the data must be committed. serialized_rollback:
# the flush after a transactional test would otherwise drop the data the migrations made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def production_server(django_db_setup, static_root):
    from tests.config.servers import database_url

    env = {"DATABASE_URL": database_url(connection.settings_dict), "STATIC_ROOT": static_root}
    with gunicorn(env) as port:
        yield port


@pytest.mark.parametrize("source", ["Dockerfile", "docker-compose.yml"])
def test_the_documented_healthcheck_command_passes_against_production_settings(source, production_server):
    command = _dockerfile_command() if source == "Dockerfile" else _compose_command()
    # The command exactly as shipped, but for the port: this test's gunicorn cannot take 8000.
    assert command.count(DOCUMENTED_URL) == 1
    command = command.replace(DOCUMENTED_URL, f"http://127.0.0.1:{production_server}/healthz")
    result = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_healthz_answers_any_host_but_other_pages_still_check_it(production_server):
    status, _, body = get(f"http://127.0.0.1:{production_server}/healthz")
    assert (status, body) == (200, '{"database": "ok"}')
    status, _, _ = get(f"http://127.0.0.1:{production_server}/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert status == 400  # 127.0.0.1 is not in ALLOWED_HOSTS
