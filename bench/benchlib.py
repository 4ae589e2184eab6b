"""What the benchmark scripts share: where the databases are, how to run the project, statistics, results.

The benchmark never edits the development database: each dataset lives in its own database on the server
named by BENCH_DATABASE_URL (else DATABASE_URL's server, else the embedded server), called
``<prefix>_s<scale>`` (prefix ``cap_bench`` unless BENCH_DB_PREFIX says otherwise). Small smoke datasets
(scale < 10) and the import benchmark's throw-away copy use the bare ``<prefix>`` database.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
DATA = BENCH / "data"  # generated input files; git-ignored
PYTHON = sys.executable
PREFIX = os.environ.get("BENCH_DB_PREFIX", "cap_bench")
#: Datasets below this scale are smoke runs: they share the scratch database and are rebuilt freely.
SMOKE_BELOW = 10

#: Targets (at S500, on a 2-core machine); see bench/README section in RESULTS.md.
PAGE_MEDIAN_MS = 50.0
PAGE_MAX_QUERIES = 15
FLOOR_RATIO = 3.0
IMPORT_RATIO = 3.0
LOAD_P99_OVER_P50 = 10.0

# One secret per process tree: the page benchmark and the load benchmark's session must agree with the
# server they talk to, and the settings refuse DEBUG=false with the development key.
os.environ.setdefault("BENCH_SECRET_KEY", "bench-" + secrets.token_urlsafe(40))


def log(message: str) -> None:
    """Progress on stderr, flushed, with the time: a long run shows where it is."""
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- databases -------------------------------------------------------------------------------------------


def _embedded_server_url() -> str:
    """Start (or join) the embedded server; it stays up while this process lives."""
    sys.path.insert(0, str(ROOT))
    from config import embedded_postgres

    settings = embedded_postgres.start()
    # django-environ reads a socket directory from the path: postgresql://user@/%2Fsocket%2Fdir/dbname
    return f"postgresql://{settings['USER']}@/{quote(settings['HOST'], safe='')}/postgres"


_server_url: str | None = None


def server_url() -> str:
    """A URL of the PostgreSQL server the benchmark uses (its database part is replaced)."""
    global _server_url
    if _server_url is None:
        _server_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        if not _server_url:
            _server_url = _embedded_server_url()
            # Child processes use the same server rather than each joining the embedded one.
            os.environ["BENCH_DATABASE_URL"] = _server_url
    return _server_url


def db_url(name: str) -> str:
    """The server URL pointing at database ``name`` (the last path segment is the database)."""
    parts = urlsplit(server_url())
    scheme = "postgresql" if parts.scheme in ("postgres", "postgresql", "pgsql") else parts.scheme
    head, _, _ = parts.path.rpartition("/")
    return urlunsplit((scheme, parts.netloc, f"{head}/{name}", parts.query, ""))


def libpq_url(name: str) -> str:
    """The same database as a libpq connection string, read the way the project's settings read it."""
    import environ
    from psycopg.conninfo import make_conninfo

    config = environ.Env.db_url_config(db_url(name))
    fields = {
        "dbname": config["NAME"],
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": str(config["PORT"]) if config.get("PORT") else None,
    }
    return make_conninfo(**{k: v for k, v in fields.items() if v})


def dataset_db(scale: int) -> str:
    return PREFIX if scale < SMOKE_BELOW else f"{PREFIX}_s{scale}"


def scratch_db() -> str:
    return PREFIX


def admin_connect():
    """An autocommit connection to the server's maintenance database."""
    import psycopg

    return psycopg.connect(libpq_url("postgres"), autocommit=True)


def connect(name: str, autocommit: bool = True):
    import psycopg

    return psycopg.connect(libpq_url(name), autocommit=autocommit)


def database_exists(name: str) -> bool:
    with admin_connect() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(name: str) -> None:
    from psycopg import sql

    with admin_connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_database(name: str, template: str | None = None) -> None:
    from psycopg import sql

    with admin_connect() as conn:
        if template:
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        else:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        conn.execute(statement)


def database_metadata(name: str) -> dict | None:
    """What the benchmark wrote about a dataset database (a JSON comment on the database), if anything."""
    if not database_exists(name):
        return None
    with admin_connect() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    if not row or not row[0]:
        return None
    try:
        return json.loads(row[0])
    except json.JSONDecodeError:
        return None


def set_database_metadata(name: str, metadata: dict | None) -> None:
    from psycopg import sql

    text = json.dumps(metadata, sort_keys=True) if metadata else None
    with admin_connect() as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text)))


def server_version() -> str:
    with admin_connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- running the project ---------------------------------------------------------------------------------


def project_env(database: str, *, deployed: bool = True, **extra: str) -> dict[str, str]:
    """Environment for the project's processes: deployment settings (DEBUG off) against ``database``."""
    env = dict(os.environ)
    env["DATABASE_URL"] = db_url(database)
    if deployed:
        env.update(
            DEBUG="false",
            SECRET_KEY=os.environ["BENCH_SECRET_KEY"],
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
            SECURE_SSL_REDIRECT="false",
            # The benchmark builds its datasets with the demo loader (seed_demo), off by default with DEBUG off.
            CAPACITY_DEMO="true",
        )
    env.update(extra)
    return env


def manage(database: str, *args: str, check: bool = True, capture: bool = False, deployed: bool = False):
    """Run ``manage.py args`` against ``database``; returns the CompletedProcess."""
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=project_env(database, deployed=deployed),
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or "")[-2000:] if capture else ""
        raise RuntimeError(f"manage.py {' '.join(args)} failed with exit code {result.returncode}\n{detail}")
    return result


_collected = False


def collectstatic() -> None:
    """With DEBUG off the manifest storage needs collected static files, as a deployment has."""
    global _collected
    if not _collected:
        log("collectstatic (deployment settings need the manifest)")
        manage(PREFIX, "collectstatic", "--noinput", "-v0", deployed=True, capture=True)
        _collected = True


def setup_django(database: str) -> None:
    """Configure Django in this process with deployment settings against ``database``."""
    os.environ.update(project_env(database))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            # The run's own outputs do not make the tree dirty: it writes them while it runs.
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!bench/results",
                ":!bench/RESULTS.md",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        # Work in progress in the tree is part of what was measured.
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- statistics ------------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (with 10-20 runs this is the slowest or second slowest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- machine and results ---------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if match:
            memory_gb = round(int(match[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        pg = server_version()
    except Exception as exc:  # noqa: BLE001 - the report says why
        pg = f"unknown ({exc.__class__.__name__})"
    return {
        "nproc": os.cpu_count(),
        "memory_gb": memory_gb,
        "cpu": cpu,
        "postgresql": pg,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def run_id() -> str:
    """Groups the parts of one `make bench` in the history; a script run alone gets its own."""
    if "BENCH_RUN_ID" not in os.environ:
        os.environ["BENCH_RUN_ID"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}-{uuid.uuid4().hex[:6]}"
    return os.environ["BENCH_RUN_ID"]


def now_utc() -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"


def save_result(part: str, name: str, data: dict) -> Path:
    """Write results/<name>.json (the latest figures) and append them to results/history.jsonl."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {"run_id": run_id(), "part": part, "date": now_utc(), "revision": git_revision(), **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    with (RESULTS / "history.jsonl").open("a") as history:
        history.write(json.dumps(_compact(record), default=str) + "\n")
    return path


#: Bulky details kept in results/<name>.json only (the latest run), not in every line of the history.
_BULKY = {"per_query", "times_ms", "traceback", "wrk_output", "output_tail"}


def _compact(value):
    if isinstance(value, dict) and "explain" in value:
        # The slowest query of a page: as much as the report shows.
        return {**value, "sql": value.get("sql", "")[:3000], "explain": "\n".join(value["explain"].splitlines()[:60])}
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if k not in _BULKY}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def load_result(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
