#!/usr/bin/env python
"""Throughput and latency under load: gunicorn (2 workers, deployment settings) and wrk.

    bench/load.py [--scale 500] [--duration 20s] [--connections 16]

gunicorn serves the S500 database on 127.0.0.1 with DEBUG off, a secret key, ALLOWED_HOSTS=127.0.0.1 and
SECURE_SSL_REDIRECT off (no TLS proxy here). wrk (`-t2 -c16 -d20s --latency`) requests the team list and
the biggest team's page with the session cookie of a superuser (a session made with Django's SessionStore
under the same secret key). A small Lua script counts every response that is not 2xx, since wrk itself
counts redirects (say, to the login page) as successes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import benchlib
import datasets
from benchlib import LOAD_P99_OVER_P50, ROOT, log

WRK_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  non2xx = 0
  statuses = {}
end
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
  end
  io.write(string.format("BENCH non2xx %d\\n", total))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: apt-get install -y wrk")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        subprocess.run([*sudo, "apt-get", "update"], check=False)
        subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_cookie(database: str) -> tuple[str, str]:
    """A logged-in session for the benchmark superuser, stored in the database gunicorn will read."""
    benchlib.setup_django(database)
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=datasets.BENCH_USER)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The password backend (the last one; axes, first, only refuses locked-out sign-ins).
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return settings.SESSION_COOKIE_NAME, session.session_key


def biggest_team() -> str:
    from django.db.models import Count

    from inventory.models import Team

    return (
        Team.objects.annotate(n=Count("projects__allocations")).order_by("-n", "slug").values_list("slug", flat=True)[0]
    )


def start_gunicorn(database: str, port: int, workers: int) -> subprocess.Popen:
    env = benchlib.project_env(database, ALLOWED_HOSTS="127.0.0.1")
    command = [
        benchlib.PYTHON,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    log(f"starting gunicorn ({workers} workers) on 127.0.0.1:{port} against {database}")
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_page(port: int, path: str, cookie: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    value, unit = float(match[1]), match[2]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_second"] = float(match[1]) if match else None
    for percent in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.MULTILINE)
        result[f"p{percent}_ms"] = to_ms(match[1]) if match else None
    match = re.search(r"(\d+) requests in", output)
    result["requests"] = int(match[1]) if match else None
    socket_errors = 0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        socket_errors = sum(int(g) for g in match.groups())
        # wrk gives up on a request after 2 s (its default --timeout) and leaves it out of the latencies.
        result["timeouts"] = int(match[4])
    match = re.search(r"BENCH non2xx (\d+)", output)
    non2xx = int(match[1]) if match else None
    result["socket_errors"] = socket_errors
    result["non_2xx"] = non2xx
    result["errors"] = socket_errors + (non2xx or 0) if non2xx is not None else None
    return result


def measure(scale: int, *, duration: str, connections: int, threads: int, workers: int, rebuild: bool) -> dict:
    wrk = ensure_wrk()
    info = datasets.ensure(scale, rebuild=rebuild)
    database = info["database"]
    benchlib.collectstatic()
    name, key = session_cookie(database)
    team = biggest_team()
    from django.db import connections as django_connections

    django_connections.close_all()
    cookie = f"{name}={key}"
    port = free_port()
    targets = [("team list", "/teams/"), ("team", f"/teams/{team}/")]
    results = []
    script = Path(tempfile.mkstemp(suffix=".lua", prefix="bench-wrk-")[1])
    script.write_text(WRK_SCRIPT)
    process = start_gunicorn(database, port, workers)
    try:
        for label, path in targets:
            status = check_page(port, path, cookie)
            if status != 200:
                log(f"  {label} {path}: HTTP {status} before the run (errors will show)")
            # Warm both workers (templates, connection pools).
            for _ in range(4):
                check_page(port, path, cookie)
            command = [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}",
                "--latency",
                "-s",
                str(script),
                "-H",
                f"Cookie: {cookie}",
                f"http://127.0.0.1:{port}{path}",
            ]
            log(f"  wrk {label} {path} for {duration} at {connections} connections ...")
            completed = subprocess.run(command, capture_output=True, text=True)
            output = completed.stdout + completed.stderr
            if completed.returncode != 0:
                results.append(
                    {"name": label, "url": path, "error": f"wrk exit {completed.returncode}: {output[-500:]}"}
                )
                continue
            figures = parse_wrk(output)
            figures.update(name=label, url=path, status_before=status, wrk_output=output)
            ratio = figures["p99_ms"] / figures["p50_ms"] if figures.get("p50_ms") else None
            log(
                f"  {label:10} {figures['requests_per_second']:8.1f} req/s  p50 {figures['p50_ms']:8.1f} ms  "
                f"p99 {figures['p99_ms']:8.1f} ms  (p99 ÷ p50 {ratio:.1f}, target ≤ {LOAD_P99_OVER_P50:.0f})  "
                f"errors {figures['errors']}"
            )
            results.append(figures)
    finally:
        stop(process)
        script.unlink(missing_ok=True)
    data = {
        "scale": scale,
        "database": database,
        "workers": workers,
        "connections": connections,
        "threads": threads,
        "duration": duration,
        "targets": results,
        "machine": benchlib.machine(),
        "load_average": os.getloadavg(),
    }
    benchlib.save_result("load", "load", data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=500, help="dataset to serve (default 500)")
    parser.add_argument("--duration", default="20s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="reload the dataset even if present")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite RESULTS.md")
    args = parser.parse_args()
    measure(
        args.scale,
        duration=args.duration,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        rebuild=args.rebuild,
    )
    if not args.no_report:
        import report

        report.write()


if __name__ == "__main__":
    main()
