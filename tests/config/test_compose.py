"""No Docker engine runs here, so check the compose file's structure instead."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_db_service_is_postgres_18_with_a_named_volume_and_a_healthcheck():
    compose = load_compose()
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:18")
    volume_name = db["volumes"][0].split(":")[0]
    assert volume_name in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_web_service_is_built_here_waits_for_a_healthy_db_and_is_configured_by_environment():
    web = load_compose()["services"]["web"]
    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert web["environment"]["DEBUG"] == "false"
    assert web["env_file"] == ".env"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_dockerfile_migrates_then_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.12" in dockerfile
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert command.index("manage.py migrate") < command.index("gunicorn config.wsgi")


def test_example_env_file_names_every_deployment_variable():
    example = (ROOT / ".env.example").read_text()
    for name in ["SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "POSTGRES_PASSWORD"]:
        assert f"{name}=" in example


def test_worker_service_runs_the_collection_worker_on_the_same_database():
    compose = load_compose()
    worker = compose["services"]["worker"]
    assert worker["command"] == ["python", "manage.py", "procrastinate", "worker"]
    assert worker["environment"]["DATABASE_URL"] == compose["services"]["web"]["environment"]["DATABASE_URL"]
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
