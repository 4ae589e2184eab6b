"""Production settings: check --deploy is clean, and the development key is refused."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "q8V#t2!mZ0rL9pX4yW7eK3nB6cF1hJ5sD8gA2uT0iO9kE4vR7wQ3zN6xM1bH5jP8",
    "ALLOWED_HOSTS": "capacity.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://capacity.example.org",
}


def run_manage(*args: str, env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in {**os.environ, **env_overrides}.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_prints_no_warnings_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env_overrides=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_the_app_refuses_to_start_on_the_development_key_when_debug_is_off():
    overrides = {**PRODUCTION}
    overrides.pop("SECRET_KEY")
    env = {k: v for k, v in {**os.environ, **overrides}.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_content_security_policy_allows_only_the_apps_own_scripts_and_styles(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy


def _refuses(secret_key: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in {**os.environ, **PRODUCTION, "SECRET_KEY": secret_key}.items()}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _example_secret_key() -> str:
    line = next(line for line in (ROOT / ".env.example").read_text().splitlines() if line.startswith("SECRET_KEY="))
    return line.removeprefix("SECRET_KEY=")


def test_production_refuses_the_example_key_and_short_keys():
    for key in [_example_secret_key(), "x" * 49, "django-insecure-" + "k" * 60]:
        result = _refuses(key)
        assert result.returncode != 0, key
        assert "SECRET_KEY" in result.stderr
    assert _refuses(PRODUCTION["SECRET_KEY"]).returncode == 0
