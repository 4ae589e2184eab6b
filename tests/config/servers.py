"""Real servers for the tests: gunicorn serving the app with production settings, a silent TCP peer, an SMTP server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "q8V#t2!mZ0rL9pX4yW7eK3nB6cF1hJ5sD8gA2uT0iO9kE4vR7wQ3zN6xM1bH5jP8",
    "ALLOWED_HOSTS": "capacity.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://capacity.example.org",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database pytest-django created (host, port and name from its settings)."""
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    auth = f"{user}:{password}@" if password else f"{user}@"
    if host.startswith("/"):
        return f"postgresql://{auth}/{settings_dict['NAME']}?host={host}&port={port}"
    return f"postgresql://{auth}{host}:{port}/{settings_dict['NAME']}"


def collect_static(directory: Path) -> None:
    """collectstatic with production settings into *directory* (production pages need its manifest)."""
    env = {**os.environ, **PRODUCTION, "STATIC_ROOT": str(directory)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )


@contextlib.contextmanager
def gunicorn(env_overrides: dict[str, str], *, workers: int = 1, timeout: int = 60):
    """gunicorn serving config.wsgi on a free loopback port; yields the port. Stopped (by its own pid) at exit."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in the finally below)
    env = {k: v for k, v in {**os.environ, **PRODUCTION, **env_overrides}.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: nobody reads a pipe while the test runs, and a full one blocks the worker.
        stderr=log,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn exited: {log.read()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 60):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@contextlib.contextmanager
def silent_tcp_server():
    """A TCP server that accepts connections and never answers (a hung database); yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()


@contextlib.contextmanager
def smtp_server():
    """An SMTP server (aiosmtpd) on a free loopback port that keeps what it receives; yields (port, inbox)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Inbox(Sink):
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()
