"""E-mail from EMAIL_URL; password reset only where e-mail is configured."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from config.email import mailers_from_url
from tests.config.servers import ROOT, smtp_server

pytestmark = pytest.mark.django_db

RESET_URLS = ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/done/"]


def test_without_email_password_reset_is_gone(client):
    with override_settings(EMAIL_ENABLED=False):
        assert "password_reset" not in client.get("/accounts/login/").content.decode()
        for url in RESET_URLS:
            assert client.get(url).status_code == 404, url
        assert client.post("/accounts/password_reset/", {"email": "ola@example.org"}).status_code == 404


def test_with_email_url_the_reset_link_is_sent_through_the_smtp_server(client):
    get_user_model().objects.create_user("ola", "ola@example.org", "a-long-pass-phrase-1")
    with smtp_server() as (port, inbox):
        mailers = mailers_from_url(f"smtp://127.0.0.1:{port}")
        with override_settings(EMAIL_ENABLED=True, MAILERS=mailers, DEFAULT_FROM_EMAIL="capacity@example.org"):
            login = client.get("/accounts/login/").content.decode()
            assert 'href="/accounts/password_reset/"' in login
            response = client.post("/accounts/password_reset/", {"email": "ola@example.org"})
            assert response.status_code == 302
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.mail_from == "capacity@example.org"
    assert envelope.rcpt_tos == ["ola@example.org"]
    assert b"/accounts/reset/" in envelope.content


def test_email_url_forms():
    assert mailers_from_url("") == {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    options = mailers_from_url("smtp+tls://mailer:p%40ss@mail.example.org:587")["default"]["OPTIONS"]
    assert options["host"] == "mail.example.org" and options["port"] == 587
    assert (options["username"], options["password"], options["use_tls"]) == ("mailer", "p@ss", True)


def test_settings_read_email_from_the_environment():
    env = {**os.environ, "EMAIL_URL": "smtp+ssl://m:pw@mail.example.org:465", "DEFAULT_FROM_EMAIL": "ops@example.org"}
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.EMAIL_ENABLED, settings.DEFAULT_FROM_EMAIL, settings.MAILERS['default']['OPTIONS']['use_ssl'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "ops@example.org", "True"], result.stderr
