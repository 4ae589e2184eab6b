#!/usr/bin/env python
"""Import throughput: a million XDMoD records through `manage.py import_usage`, against a raw COPY floor.

    bench/imports.py [--scale 500] [--records 1000000]

The import runs on a throw-away copy of the dataset (`CREATE DATABASE <prefix> TEMPLATE <prefix>_s<N>`) so
the dataset stays as loaded. The file names the dataset's allocations by pool slug and quota identifier,
at moments the dataset does not have yet (12:00 UTC on the days before today), so every record is new.

The floor is a plain binary `COPY` of the very same rows (allocation ids already resolved) into
`inventory_usagesample`, timed, then rolled back (and the table vacuumed so the import does not pay for its
dead index entries). The foreign-key checks its commit would run (Django's foreign keys are deferred to
commit) are timed apart, for information: the floor leaves them out. Both figures are records per second;
the target is import ≤ 3 × COPY time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import pty
import resource
import subprocess
import threading
import time

import benchlib
import datasets
from benchlib import DATA, IMPORT_RATIO, ROOT, log

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


def allocations(database: str) -> list[tuple]:
    with benchlib.connect(database) as conn:
        return conn.execute(
            """
            SELECT a.id, p.slug, a.quota_id, a.quota_bytes, coalesce(a.used_bytes, a.quota_bytes / 3),
                   coalesce(a.file_count, 1000), u.username, pi.username
              FROM inventory_allocation a
              JOIN inventory_storagepool p ON p.id = a.pool_id
              JOIN inventory_researchproject r ON r.id = a.project_id
              JOIN auth_user pi ON pi.id = r.principal_investigator_id
              LEFT JOIN auth_user u ON u.id = a.requested_by_id
             WHERE a.quota_id <> ''
             ORDER BY a.id
            """
        ).fetchall()


def moments(count: int, today: datetime.date) -> list[datetime.datetime]:
    """`count` moments the seeded data (daily at 00:00) does not have: 12:00, then 06:00 and 18:00, of past days."""
    result = []
    for hour in (12, 6, 18, 3, 9, 15, 21):
        for back in range(1, 89):
            result.append(
                datetime.datetime.combine(today - datetime.timedelta(days=back), datetime.time(hour), datetime.UTC)
            )
            if len(result) == count:
                return result
    raise ValueError(f"cannot place {count} distinct moments in the window")


def _prefix(pool: str, quota_id: str, user: str, pi: str) -> str:
    """The start of a record, up to the opening quote of its moment."""
    fields = ",".join(
        f"{json.dumps(k)}:{json.dumps(v)}"
        for k, v in (("resource", pool), ("mountpoint", quota_id), ("user", user), ("pi", pi))
    )
    return "{" + fields + ',"dt":"'


def build_file(database: str, records: int) -> tuple:
    """Write the XDMoD file (JSON array) and the COPY text of the same rows; returns (path, copy text, n)."""
    rows = allocations(database)
    if not rows:
        raise RuntimeError(f"{database} has no allocations with a quota identifier")
    per_moment = len(rows)
    needed = -(-records // per_moment)
    when = moments(needed, datetime.datetime.now(datetime.UTC).date())
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"xdmod-{records}-{database}.json"
    copy_text = io.StringIO()
    written = 0
    # The text fields of each allocation are the same in every moment: encode them once.
    prefixes = [
        (
            allocation_id,
            _prefix(pool, quota_id, (user or pi)[:30], pi[:30]),
            quota,
            used,
            files,
        )
        for allocation_id, pool, quota_id, quota, used, files, user, pi in rows
    ]
    with path.open("w") as out:
        out.write("[\n")
        write = out.write
        copy_write = copy_text.write
        for moment in when:
            dt = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            iso = moment.isoformat()
            for allocation_id, prefix, quota, used, files in prefixes:
                if written == records:
                    break
                # A little movement per moment, deterministic.
                used_now = min(used + (written % 97) * 1_000_000, quota * 2)
                physical = used_now * 3 // 4
                soft = quota * 9 // 10
                write(
                    f'{"," if written else ""}{prefix}{dt}","file_count":{files},"logical_usage":{used_now},'
                    f'"physical_usage":{physical},"soft_threshold":{soft},"hard_threshold":{quota}}}\n'
                )
                copy_write(f"{allocation_id}\t{iso}\t{used_now}\t{physical}\t{files}\t{soft}\t{quota}\txdmod\n")
                written += 1
        write("]\n")
    return path, copy_text.getvalue(), written


def binary_rows(database: str, copy_text: str) -> bytes:
    """The same rows in PostgreSQL's binary COPY format, made untimed: the text COPY into a temporary table of
    the usage table's columns, then COPY TO in binary."""
    columns = ", ".join(COPY_COLUMNS)
    with benchlib.connect(database, autocommit=False) as conn:
        with conn.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE floor_rows ON COMMIT DROP AS SELECT {columns} FROM inventory_usagesample LIMIT 0"
            )
            with cursor.copy(f"COPY floor_rows ({columns}) FROM STDIN") as copy:
                copy.write(copy_text.encode())
            payload = bytearray()
            with cursor.copy(f"COPY floor_rows ({columns}) TO STDOUT (FORMAT BINARY)") as copy:
                for chunk in copy:
                    payload += chunk
        conn.rollback()
    return bytes(payload)


def copy_floor(database: str, payload: bytes) -> tuple[float, float]:
    """Seconds for a plain binary COPY of the rows into the usage table (the floor), and, for information,
    for the foreign-key checks its commit would run.

    Django creates foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL checks each new sample's
    allocation (and import) at COMMIT. The floor leaves them out, as a plain COPY's own time:
    `SET CONSTRAINTS ALL IMMEDIATE` runs them afterwards, timed apart; the transaction is then rolled back,
    leaving the database as it was.
    """
    with benchlib.connect(database, autocommit=False) as conn:
        with conn.cursor() as cursor:
            start = time.perf_counter()
            with cursor.copy(
                f"COPY inventory_usagesample ({', '.join(COPY_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                step = 1 << 20
                for offset in range(0, len(payload), step):
                    copy.write(payload[offset : offset + step])
            copy_seconds = time.perf_counter() - start
            start = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            check_seconds = time.perf_counter() - start
        conn.rollback()
    with benchlib.connect(database) as conn:
        # The aborted rows left dead index entries: clean them so the import starts from the same state.
        conn.execute("VACUUM inventory_usagesample")
    return copy_seconds, check_seconds


def prepare_copy(scale: int) -> tuple[str, bool]:
    """The database to import into: a fresh copy of the dataset (or the smoke dataset itself)."""
    source = benchlib.dataset_db(scale)
    target = benchlib.scratch_db()
    if source == target:
        return target, True
    log(f"copying {source} to {target} for the import")
    benchlib.drop_database(target)
    for attempt in range(5):
        try:
            benchlib.create_database(target, template=source)
            break
        except Exception as exc:  # noqa: BLE001 - someone else is connected to the source: wait and retry
            if attempt == 4:
                raise
            log(f"  cannot copy yet ({str(exc).splitlines()[0]}); retrying in 5 s")
            time.sleep(5)
    return target, False


def run_with_stages(command: list[str], env: dict) -> tuple[subprocess.CompletedProcess, float, list]:
    """Run the import with stderr on a terminal, so it reports its stages; time each stage as it arrives.

    The command prints "FILE: stage…" to stderr only when stderr is a terminal; a pseudo-terminal makes it
    do so at no cost to the run, and gives the import's own breakdown (reading, matching, writing, ...).
    """
    master, slave = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    marks: list[tuple[float, str]] = []
    out_lines: list[str] = []

    def read_stdout() -> None:
        # The summary line ends the import proper; what follows is the process winding down.
        for raw in process.stdout:
            if not out_lines:
                marks.append((time.perf_counter() - start, "exit (after the summary line)"))
            out_lines.append(raw.decode(errors="replace"))

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    errors: list[str] = []
    pending = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        now = time.perf_counter() - start
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = raw.decode(errors="replace").strip()
            if line.endswith("…"):
                marks.append((now, line.rsplit(": ", 1)[-1].rstrip("…")))
            elif line:
                errors.append(line)
    process.wait()
    reader.join()
    stdout = "".join(out_lines)
    marks.sort()
    seconds = time.perf_counter() - start
    os.close(master)
    marks.insert(0, (0.0, "start-up"))
    stages = [(name, (marks[i + 1][0] if i + 1 < len(marks) else seconds) - at) for i, (at, name) in enumerate(marks)]
    completed = subprocess.CompletedProcess(command, process.returncode, stdout, "\n".join(errors))
    return completed, seconds, stages


def import_phases(database: str, path) -> dict:
    """Where the import's time goes: the import helper's per-phase dry run (bench/import_xdmod.py), if present."""
    try:
        import import_xdmod
    except ImportError:
        return {}
    log("  where the time goes: an in-process dry run of the same file, per phase ...")
    # A detail, not the measurement: never let it hold up the run for long.
    os.environ["PGOPTIONS"] = "-c statement_timeout=180000"
    try:
        detail = import_xdmod.phases(database, path)
    except Exception as exc:  # noqa: BLE001 - optional detail
        log(f"  (phases not available: {exc.__class__.__name__}: {exc})")
        return {}
    finally:
        del os.environ["PGOPTIONS"]
        from django.db import connections

        connections.close_all()
    log(f"  dry run {detail.get('dry_run_seconds')} s; phases {detail.get('phases_s')}")
    return detail


def measure(scale: int, records: int, *, rebuild: bool = False, phases: bool = True) -> dict:
    info = datasets.ensure(scale, rebuild=rebuild)
    source = info["database"]
    log(f"imports: writing {records:,} XDMoD records for {source}")
    with benchlib.Timer() as t:
        path, copy_text, written = build_file(source, records)
    log(f"  {path.relative_to(ROOT)}: {written:,} records, {path.stat().st_size / 1e6:.0f} MB in {t.seconds:.1f} s")
    with benchlib.Timer() as t:
        target, in_place = prepare_copy(scale)
    log(f"  import database {target} ready in {t.seconds:.1f} s")
    with benchlib.connect(target) as conn:
        existing = conn.execute("SELECT count(*) FROM inventory_usagesample").fetchone()[0]

    log("  floor: a plain binary COPY of the same rows ...")
    copy_seconds, checks = copy_floor(target, binary_rows(target, copy_text))
    log(
        f"  binary COPY: {copy_seconds:.2f} s = {written / copy_seconds:,.0f} records/s "
        f"(the foreign-key checks its commit would run, apart: {checks:.2f} s)"
    )

    # Before the real import, so that the dry run sees what the import sees: every record new.
    detail = import_phases(target, path) if phases else {}

    log("  manage.py import_usage --format xdmod ...")
    env = benchlib.project_env(target)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    command = [benchlib.PYTHON, str(ROOT / "manage.py"), "import_usage", str(path), "--format", "xdmod"]
    completed, import_seconds, stages = run_with_stages(command, env)
    peak_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if stages:
        log("  stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages))
    output = (completed.stdout + completed.stderr).strip()
    tail = "\n".join(output.splitlines()[-8:])
    with benchlib.connect(target) as conn:
        after = conn.execute("SELECT count(*) FROM inventory_usagesample").fetchone()[0]
    added = after - existing
    ratio = import_seconds / copy_seconds if copy_seconds else None
    ok = completed.returncode == 0 and added == written
    log(
        f"  import_usage: exit {completed.returncode}, {import_seconds:.2f} s = {written / import_seconds:,.0f} "
        f"records/s, {added:,} samples added; import ÷ COPY = {ratio:.2f} "
        f"({'within' if ratio and ratio <= IMPORT_RATIO else 'over'} {IMPORT_RATIO:.0f}×)"
    )
    if completed.returncode != 0:
        log("  import output:\n" + tail)
    note = None
    if not ok:
        note = (
            f"The import did not store every record (exit {completed.returncode}, {added:,} of {written:,} added): "
            "its throughput is not comparable."
        )
    if in_place:
        # The smoke dataset now holds the imported samples: forget it, so it is loaded again next time.
        benchlib.set_database_metadata(target, None)
    else:
        benchlib.drop_database(target)
    file_bytes = path.stat().st_size
    with contextlib.suppress(OSError):
        path.unlink()
    data = {
        "scale": scale,
        "database": target,
        "source_database": source,
        "records": written,
        "existing_samples": existing,
        "file_bytes": file_bytes,
        "copy": {
            # The floor: a plain binary COPY, no foreign-key checks (earlier runs: text COPY + the checks).
            "format": "binary",
            "seconds": round(copy_seconds, 3),
            "records_per_second": round(written / copy_seconds),
            "fk_check_seconds": round(checks, 3),
        },
        "import": {
            "seconds": round(import_seconds, 3),
            "records_per_second": round(written / import_seconds),
            "exit_code": completed.returncode,
            "added": added,
            "peak_rss_mb": round(max(peak_rss, before) / 1024),
            "output_tail": tail,
            "stages_s": {name: round(seconds, 2) for name, seconds in stages},
        },
        "ratio": round(ratio, 2) if ratio and ok else None,
        **detail,
        "ok": ok,
        "note": note,
        "machine": benchlib.machine(),
        "load_average": os.getloadavg(),
    }
    benchlib.save_result("imports", "imports", data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=500, help="dataset to copy and import into (default 500)")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="reload the dataset even if present")
    parser.add_argument("--no-phases", action="store_true", help="skip the per-phase dry run (where time goes)")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite RESULTS.md")
    args = parser.parse_args()
    measure(args.scale, args.records, rebuild=args.rebuild, phases=not args.no_phases)
    if not args.no_report:
        import report

        report.write()


if __name__ == "__main__":
    main()
