#!/usr/bin/env python
"""XDMoD import throughput in its own database: `manage.py import_usage` against a raw COPY of the same rows.

    bench/import_xdmod.py [--records 1000000] [--allocations 20000] [--database cap_imports_bench]

Self-contained (unlike bench/imports.py, which imports into a copy of a seeded dataset): the database is
created and migrated if missing, and filled with ``--allocations`` synthetic allocations (each with a quota
identifier) on a few pools. Each run starts from an empty usage history, writes an XDMoD file of
``--records`` records (allocations × moments), then times

* the floor: a raw ``COPY`` of the very same rows (allocation ids already resolved) into
  ``inventory_usagesample``, rolled back (and the table vacuumed);
* ``manage.py import_usage FILE --format xdmod`` as a separate process (Django start-up included), and
  within it the service's own phases (read, match, store) from a second, in-process run of the service on
  the same file in a dry run (nothing written), to show where the time goes.

Prints records per second for both and the ratio, and writes bench/results/import.json. Target: the import
at least 30 % of COPY's rate (≥ 300,000/s when COPY does 1,000,000/s); under a minute in any case.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import subprocess
import sys
import time

import benchlib
from benchlib import DATA, ROOT, log

COPY_COLUMNS = (
    "allocation_id",
    "measured_at",
    "used_bytes",
    "physical_used_bytes",
    "file_count",
    "soft_limit_bytes",
    "hard_limit_bytes",
    "source",
)
POOLS = 8
TB = 10**12


def ensure_database(database: str) -> None:
    if not benchlib.database_exists(database):
        log(f"creating {database}")
        benchlib.create_database(database)
    benchlib.manage(database, "migrate", "--noinput", "-v0")


def ensure_allocations(database: str, wanted: int) -> None:
    """At least ``wanted`` allocations with a quota identifier, made in a few set-based statements."""
    with benchlib.connect(database) as conn:
        have = conn.execute("SELECT count(*) FROM inventory_allocation WHERE quota_id LIKE '/bench/%'").fetchone()[0]
    if have >= wanted:
        return
    log(f"creating {wanted:,} allocations in {database}")
    benchlib.setup_django(database)
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from inventory.models import Allocation, ResearchProject, Site, StorageArray, StoragePool, Team

    reset_usage(database)  # samples PROTECT their allocations
    with transaction.atomic():
        Allocation.objects.filter(quota_id__startswith="/bench/").delete()
        ResearchProject.objects.filter(code__startswith="BN").delete()
        site, _ = Site.objects.get_or_create(slug="bench-site", defaults={"name": "Bench site"})
        array, _ = StorageArray.objects.get_or_create(
            slug="bench-array",
            defaults={
                "site": site,
                "name": "Bench array",
                "vendor": "Huawei",
                "model": "OceanStor A800",
                "serial_number": "BENCH0001",
                "raw_bytes": 10**18,
                "usable_bytes": 8 * 10**17,
            },
        )
        pools = [
            StoragePool.objects.get_or_create(
                slug=f"bench-{n}",
                defaults={"array": array, "name": f"bench {n}", "capacity_bytes": 10**17},
            )[0]
            for n in range(POOLS)
        ]
        team, _ = Team.objects.get_or_create(slug="bench-team", defaults={"name": "Bench team"})
        pi, _ = get_user_model().objects.get_or_create(username="bench-pi")
        projects = ResearchProject.objects.bulk_create(
            ResearchProject(
                code=f"BN{n:06d}K",
                title=f"Bench project {n}",
                team=team,
                principal_investigator=pi,
                start_date=datetime.date(2026, 1, 1),
            )
            for n in range(wanted)
        )
        # Requested allocations: the capacity trigger only sums active ones, and status is irrelevant here.
        Allocation.objects.bulk_create(
            Allocation(
                project=project,
                pool=pools[n % POOLS],
                quota_bytes=(n % 50 + 1) * TB,
                status=Allocation.Status.REQUESTED,
                quota_id=f"/bench/proj{n:06d}",
            )
            for n, project in enumerate(projects)
        )


def reset_usage(database: str) -> None:
    with benchlib.connect(database) as conn:
        conn.execute(
            "TRUNCATE inventory_usagesample, inventory_usageimport, inventory_pooldailyusage, inventory_teamdailyusage"
        )
        conn.execute(
            "UPDATE inventory_allocation SET used_bytes = NULL, physical_used_bytes = NULL, file_count = NULL, "
            "usage_measured_at = NULL, enforced_quota_bytes = NULL, enforced_quota_seen_at = NULL"
        )
        conn.execute("VACUUM ANALYZE inventory_usagesample")
        conn.execute("VACUUM ANALYZE inventory_allocation")


def build_file(database: str, records: int):
    """The XDMoD file and the COPY text of the same rows."""
    with benchlib.connect(database) as conn:
        rows = conn.execute(
            "SELECT a.id, p.slug, a.quota_id, a.quota_bytes FROM inventory_allocation a "
            "JOIN inventory_storagepool p ON p.id = a.pool_id WHERE a.quota_id LIKE '/bench/%' ORDER BY a.id"
        ).fetchall()
    moments_needed = -(-records // len(rows))
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"xdmod-{records}-{database}.json"
    copy_chunks: list[str] = []
    written = 0
    with path.open("w") as out:
        out.write("[\n")
        for m in range(moments_needed):
            moment = start + datetime.timedelta(hours=6 * m)
            dt = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            iso = moment.isoformat()
            for allocation_id, slug, quota_id, quota in rows:
                if written == records:
                    break
                used = quota // 3 + (written % 97) * 1_000_000
                physical = used * 3 // 4
                files = 1000 + written % 1000
                soft = quota * 9 // 10
                out.write(
                    f'{"," if written else ""}{{"resource":"{slug}","mountpoint":"{quota_id}","user":"bench",'
                    f'"pi":"bench-pi","dt":"{dt}","file_count":{files},"logical_usage":{used},'
                    f'"physical_usage":{physical},"soft_threshold":{soft},"hard_threshold":{quota}}}\n'
                )
                copy_chunks.append(f"{allocation_id}\t{iso}\t{used}\t{physical}\t{files}\t{soft}\t{quota}\txdmod\n")
                written += 1
        out.write("]\n")
    return path, "".join(copy_chunks).encode(), written


def copy_floor(database: str, data: bytes) -> tuple[float, float]:
    """Seconds for a raw COPY of the rows, and for the COPY plus its foreign-key checks; rolled back.

    Django makes foreign keys DEFERRABLE INITIALLY DEFERRED, so COPY alone leaves the two checks per row
    (allocation, usage import) to the commit: a COPY that is rolled back never pays them, an import must.
    ``SET CONSTRAINTS ALL IMMEDIATE`` runs them inside the timing, for a floor the import can be held to.
    """
    with benchlib.connect(database, autocommit=False) as conn:
        with conn.cursor() as cursor:
            started = time.perf_counter()
            with cursor.copy(f"COPY inventory_usagesample ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                for offset in range(0, len(data), 1 << 20):
                    copy.write(data[offset : offset + (1 << 20)])
            copied = time.perf_counter() - started
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checked = time.perf_counter() - started
        conn.rollback()
    with benchlib.connect(database) as conn:
        conn.execute("VACUUM inventory_usagesample")
    return copied, checked


def phases(database: str, path) -> dict:
    """Where the time goes inside the service: a dry run in this process, timed per phase."""
    benchlib.setup_django(database)
    from inventory.services.usage_import import import_usage_file

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    outcome = import_usage_file(
        path_or_file=path,
        file_name=str(path),
        format="xdmod",
        dry_run=True,
        progress=lambda stage: marks.append((stage, time.perf_counter())),
    )
    ended = time.perf_counter()
    marks.append(("end", ended))
    timings = {name: round(marks[i + 1][1] - at, 3) for i, (name, at) in enumerate(marks[:-1])}
    return {"dry_run_seconds": round(ended - started, 3), "phases_s": timings, "would_add": outcome.added}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--allocations", type=int, default=20_000)
    parser.add_argument("--database", default="cap_imports_bench")
    parser.add_argument("--no-phases", action="store_true", help="skip the in-process dry run per phase")
    args = parser.parse_args()
    database = args.database

    ensure_database(database)
    ensure_allocations(database, args.allocations)
    reset_usage(database)
    log(f"writing {args.records:,} XDMoD records")
    path, copy_data, written = build_file(database, args.records)
    log(f"  {path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.0f} MB")

    copy_only_seconds, copy_seconds = copy_floor(database, copy_data)
    log(
        f"COPY: {copy_only_seconds:.2f} s, with its foreign-key checks {copy_seconds:.2f} s "
        f"= {written / copy_seconds:,.0f} records/s"
    )

    log("manage.py import_usage --format xdmod ...")
    started = time.perf_counter()
    completed = subprocess.run(
        [benchlib.PYTHON, str(ROOT / "manage.py"), "import_usage", str(path), "--format", "xdmod"],
        cwd=ROOT,
        env=benchlib.project_env(database, deployed=False),
        text=True,
        capture_output=True,
    )
    import_seconds = time.perf_counter() - started
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    with benchlib.connect(database) as conn:
        added = conn.execute("SELECT count(*) FROM inventory_usagesample").fetchone()[0]
    ok = completed.returncode == 0 and added == written
    if not ok:
        log("import failed:\n" + (completed.stdout + completed.stderr)[-3000:])
    copy_rate = written / copy_seconds
    import_rate = written / import_seconds
    ratio = import_rate / copy_rate
    print(f"COPY alone:   {written / copy_only_seconds:>12,.0f} records/s ({copy_only_seconds:.2f} s)")
    print(f"COPY + FKs:   {copy_rate:>12,.0f} records/s ({copy_seconds:.2f} s)")
    print(f"import_usage: {import_rate:>12,.0f} records/s ({import_seconds:.2f} s, exit {completed.returncode})")
    print(f"import rate ÷ COPY + FKs rate: {ratio:.2f}; ÷ COPY alone: {import_rate * copy_only_seconds / written:.2f}")

    detail = {} if args.no_phases else phases(database, path)
    if detail:
        print(f"in-process dry run: {detail['dry_run_seconds']} s; phases: {detail['phases_s']}")
    data = {
        "database": database,
        "records": written,
        "file_bytes": path.stat().st_size,
        "copy": {
            "seconds": round(copy_seconds, 3),
            "records_per_second": round(copy_rate),
            "copy_only_seconds": round(copy_only_seconds, 3),
            "copy_only_records_per_second": round(written / copy_only_seconds),
            "note": "floor = COPY + its deferred foreign-key checks (SET CONSTRAINTS ALL IMMEDIATE)",
        },
        "import": {
            "seconds": round(import_seconds, 3),
            "records_per_second": round(import_rate),
            "exit_code": completed.returncode,
            "added": added,
            "peak_rss_mb": peak_rss_mb,
            "output": completed.stdout.strip()[-500:],
        },
        "import_rate_over_copy_rate": round(ratio, 3),
        "target": "import rate >= 0.3 x COPY rate; under 60 s in any case",
        "ok": ok,
        **detail,
        "machine": benchlib.machine(),
        "load_average": os.getloadavg(),
    }
    out = benchlib.save_result("import", "import", data)
    log(f"wrote {out.relative_to(ROOT)}")
    path.unlink(missing_ok=True)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
