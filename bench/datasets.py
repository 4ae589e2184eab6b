#!/usr/bin/env python
"""Build (or reuse) a benchmark dataset: `seed_demo --scale N` in its own database, then VACUUM ANALYZE.

    bench/datasets.py --scale 50 [--rebuild]

A dataset is reused when its database carries the benchmark's note (a JSON comment on the database) for the
same scale and still holds the counts noted; pending migrations are applied to it. When the demo generator
changed since, it says so (the note keeps a fingerprint of the code) and `--rebuild` loads it again. Load times go to
results/dataset_s<N>.json and the history.
"""

from __future__ import annotations

import argparse
import hashlib
import re

import benchlib
from benchlib import ROOT, log

BENCH_USER = "bench-admin"

_CREATE_SUPERUSER = f"""
from django.contrib.auth import get_user_model
User = get_user_model()
user, _ = User.objects.get_or_create(username={BENCH_USER!r}, defaults={{"email": "bench@example.invalid"}})
user.is_staff = user.is_superuser = True
user.set_unusable_password()
user.save()
"""

_ROLLUPS = """
from inventory.models import PoolDailyUsage, TeamDailyUsage
if not PoolDailyUsage.objects.exists() or not TeamDailyUsage.objects.exists():
    from inventory.services.rollups import refresh_daily_usage
    print("refreshed", refresh_daily_usage())
else:
    print("present", PoolDailyUsage.objects.count(), TeamDailyUsage.objects.count())
"""


def demo_fingerprint() -> str:
    """Changes whenever the demo generator or the schema changes, so a stale dataset is rebuilt."""
    digest = hashlib.sha256()
    paths = sorted((ROOT / "demo").glob("*.py")) + sorted((ROOT / "inventory" / "migrations").glob("0*.py"))
    paths.append(ROOT / "demo" / "management" / "commands" / "seed_demo.py")
    for path in paths:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def counts(database: str) -> dict[str, int]:
    tables = {
        "teams": "inventory_team",
        "projects": "inventory_researchproject",
        "allocations": "inventory_allocation",
        "samples": "inventory_usagesample",
        "pool_daily_usage": "inventory_pooldailyusage",
        "team_daily_usage": "inventory_teamdailyusage",
    }
    result = {}
    with benchlib.connect(database) as conn:
        for key, table in tables.items():
            if key == "samples":
                # An exact count of millions of rows takes a while; the planner's figure after ANALYZE
                # is exact enough to tell a loaded dataset from an empty one, and we record the real one
                # when loading.
                row = conn.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table]).fetchone()
            else:
                row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - fixed names
            result[key] = int(row[0]) if row else 0
    return result


def ensure(scale: int, *, rebuild: bool = False) -> dict:
    """The dataset's description (database, counts, load times), loading it first when needed."""
    database = benchlib.dataset_db(scale)
    fingerprint = demo_fingerprint()
    note = benchlib.database_metadata(database)
    reason = None
    if rebuild:
        reason = "--rebuild"
    elif note is None:
        reason = "no dataset yet"
    elif note.get("scale") != scale:
        reason = f"database holds scale {note.get('scale')}"
    else:
        if note.get("fingerprint") != fingerprint:
            # Reused all the same (migrations are applied below): reloading is what --rebuild is for.
            log(f"dataset S{scale}: the demo generator or migrations changed since it was loaded; --rebuild reloads it")
        try:
            # Pending migrations would change the schema under the pages: apply them (no-op normally),
            # and refresh the planner's statistics if they did anything (a new index, a rewritten table).
            migrated = benchlib.manage(database, "migrate", "--noinput", "-v1", capture=True)
            applied = [line.strip() for line in migrated.stdout.splitlines() if line.strip().startswith("Applying")]
            if applied:
                log(f"dataset S{scale}: applied {len(applied)} new migration(s); VACUUM ANALYZE")
                with benchlib.connect(database) as conn:
                    conn.execute("VACUUM ANALYZE")
            now = counts(database)
        except Exception as exc:  # noqa: BLE001 - any failure means: load it again
            reason = f"cannot read it ({exc.__class__.__name__})"
        else:
            if now["allocations"] != note["counts"]["allocations"] or now["projects"] != note["counts"]["projects"]:
                reason = "its counts differ from those noted at load time"
    if reason is None:
        log(f"dataset S{scale}: reusing {database} (loaded {note['loaded_at']}, {note['load_seconds']:.0f} s)")
        benchlib.save_result("dataset", f"dataset_s{scale}", {**note, "reused": True})
        return {**note, "reused": True}

    log(f"dataset S{scale}: building {database} ({reason})")
    timings = {}
    with benchlib.Timer() as total:
        benchlib.drop_database(database)
        benchlib.create_database(database)
        with benchlib.Timer() as t:
            benchlib.manage(database, "migrate", "--noinput", "-v0", capture=True)
        timings["migrate_s"] = round(t.seconds, 2)
        log(f"  migrated in {t.seconds:.1f} s; seed_demo --scale {scale} ...")
        with benchlib.Timer() as t:
            seeded = benchlib.manage(database, "seed_demo", "--scale", str(scale), capture=True)
        timings["seed_s"] = round(t.seconds, 2)
        for line in seeded.stdout.strip().splitlines():
            log(f"    {line}")
        with benchlib.Timer() as t:
            rollups = benchlib.manage(database, "shell", "-c", _ROLLUPS, capture=True)
        timings["rollups_s"] = round(t.seconds, 2)
        rollup_note = rollups.stdout.strip()
        if rollup_note.startswith("refreshed"):
            log(f"  seed_demo left the daily rollups empty: refreshed them ({t.seconds:.1f} s)")
        benchlib.manage(database, "shell", "-c", _CREATE_SUPERUSER, capture=True)
        with benchlib.Timer() as t, benchlib.connect(database) as conn:
            conn.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = round(t.seconds, 2)
        log(f"  VACUUM ANALYZE in {t.seconds:.1f} s")
    with benchlib.connect(database) as conn:
        samples = conn.execute("SELECT count(*) FROM inventory_usagesample").fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    found = counts(database)
    found["samples"] = samples
    match = re.search(r"Loaded the demo at scale", seeded.stdout)
    note = {
        "scale": scale,
        "database": database,
        "fingerprint": fingerprint,
        "loaded_at": benchlib.now_utc(),
        "load_seconds": round(total.seconds, 1),
        "timings": timings,
        "counts": found,
        "database_bytes": size,
        "rollups": rollup_note,
        "seed_ok": bool(match),
    }
    benchlib.set_database_metadata(database, note)
    log(
        f"dataset S{scale}: {found['projects']:,} projects, {found['allocations']:,} allocations, "
        f"{samples:,} samples, {size / 1e9:.2f} GB, loaded in {total.seconds:.0f} s"
    )
    benchlib.save_result("dataset", f"dataset_s{scale}", {**note, "reused": False})
    return {**note, "reused": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--rebuild", action="store_true", help="Load again even if the dataset is present.")
    args = parser.parse_args()
    ensure(args.scale, rebuild=args.rebuild)


if __name__ == "__main__":
    main()
