"""Real outside systems for the notification tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from config.email import mailers_from_url
from inventory.models import TeamMembership
from inventory.roles import ALLOCATION_MANAGERS, INFRASTRUCTURE_ADMINS
from tests.config.servers import free_port, smtp_server
from tests.inventory.factories import TB, make_allocation, make_pool, make_project, make_user


class Receiver:
    """What a chat system's webhook endpoint received; answers with the queued statuses, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.url = ""

    def json(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@contextlib.contextmanager
def http_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"broken")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/capacity"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def inbox(db):
    """E-mail on, through a real SMTP server; yields its inbox (``.messages`` are aiosmtpd envelopes)."""
    with smtp_server() as (port, inbox):
        mailers = mailers_from_url(f"smtp://127.0.0.1:{port}")
        with override_settings(EMAIL_ENABLED=True, MAILERS=mailers, DEFAULT_FROM_EMAIL="capacity@example.org"):
            yield inbox


@pytest.fixture
def receiver():
    with http_receiver() as receiver:
        yield receiver


@pytest.fixture
def refused_url():
    """An address where nothing listens: connections are refused."""
    return f"http://127.0.0.1:{free_port()}/hook"


@pytest.fixture
def team_allocation(db):
    """An allocation of 10 TB whose team has a member and a manager, and whose project has its own PI."""
    pi = make_user("pia")
    project = make_project(principal_investigator=pi)
    TeamMembership.objects.create(team=project.team, user=make_user("mona"), role=TeamMembership.Role.MEMBER)
    TeamMembership.objects.create(team=project.team, user=make_user("max"), role=TeamMembership.Role.MANAGER)
    return make_allocation(pool=make_pool(capacity=100 * TB), project=project, quota=10 * TB, used_bytes=1 * TB)


def in_group(user, name):
    user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def infra_admin(db):
    return in_group(make_user("ingrid"), INFRASTRUCTURE_ADMINS)


@pytest.fixture
def allocation_manager(db):
    return in_group(make_user("magnus"), ALLOCATION_MANAGERS)


def recipients(inbox) -> list[str]:
    return sorted(address for envelope in inbox.messages for address in envelope.rcpt_tos)


def parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def subjects(inbox) -> list[str]:
    return [str(parsed(envelope)["Subject"]) for envelope in inbox.messages]
