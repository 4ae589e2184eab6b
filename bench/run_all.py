#!/usr/bin/env python
"""The whole benchmark (`make bench`): datasets, pages at each scale, the API, imports, load; then bench/RESULTS.md.

    bench/run_all.py [--scales 50,500] [--wide-days 30,300] [--skip-wide] [--skip-import] [--skip-api]
                     [--skip-load] [--skip-collect] [--quick] [--rebuild] [--allow-dirty]

`--quick` is a smoke run: one small dataset (scale 2), the wide shape with 3 days of history, a 20,000-record
import and 5-second load runs. The wide shape (bench/wide.py: 600 pools, a team of 309 members) is measured
with each history length of `--wide-days`, so the report shows whether a page grows with the history.
Each part runs as its own process (each configures Django for its own database), and a part that fails
does not stop the others: the report shows what was measured and the exit status says whether all ran.

Results describe a commit: the run refuses a tree with uncommitted changes to tracked files unless told
`--allow-dirty` (the report then marks the revision "+dirty").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import benchlib
from benchlib import BENCH, log


def part(name: str, script: str, *args: str) -> bool:
    log(f"=== {name}")
    start = time.monotonic()
    completed = subprocess.run([benchlib.PYTHON, str(BENCH / script), *args, "--no-report"], cwd=benchlib.ROOT)
    log(f"=== {name}: {'done' if completed.returncode == 0 else 'FAILED'} in {time.monotonic() - start:.0f} s")
    return completed.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="50,500", help="comma-separated dataset scales (default 50,500)")
    parser.add_argument(
        "--wide-days", default="30,300", help="days of history of the wide shape, comma-separated (default 30,300)"
    )
    parser.add_argument("--skip-wide", action="store_true", help="do not measure the wide shape")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-collect", action="store_true")
    parser.add_argument("--quick", action="store_true", help="smoke run at scale 2, small import, short load")
    parser.add_argument("--rebuild", action="store_true", help="reload the datasets even if present")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (at least 10)")
    parser.add_argument("--allow-dirty", action="store_true", help="run even with uncommitted changes")
    args = parser.parse_args()
    if benchlib.git_revision().endswith("+dirty") and not args.allow_dirty:
        log("refusing to run: the working tree has uncommitted changes, so the results would describe no commit.")
        log("Commit first, or pass --allow-dirty (BENCH_ARGS=--allow-dirty make bench).")
        return 2

    scales = [2] if args.quick else sorted({int(s) for s in args.scales.split(",") if s.strip()})
    records = 20_000 if args.quick else 1_000_000
    duration = "5s" if args.quick else "20s"
    largest = max(scales)
    benchlib.server_url()  # start the embedded server once, if that is what we use
    log(f"benchmark run {benchlib.run_id()}: scales {scales}, database server {benchlib.db_url('')}")
    start = time.monotonic()
    ok = True
    rebuild = ["--rebuild"] if args.rebuild else []
    for scale in scales:
        ok &= part(f"pages at S{scale}", "pages.py", "--scale", str(scale), "--runs", str(args.runs), *rebuild)
    if not args.skip_wide:
        histories = [3] if args.quick else sorted({int(d) for d in args.wide_days.split(",") if d.strip()})
        for days in histories:
            ok &= part(
                f"pages on the wide shape, {days} days",
                "pages.py",
                "--wide-days",
                str(days),
                "--runs",
                str(args.runs),
                *rebuild,
            )
    if not args.skip_api:
        ok &= part(f"api at S{largest}", "api_bench.py", "--scale", str(largest))
    if not args.skip_import:
        ok &= part(f"imports at S{largest}", "imports.py", "--scale", str(largest), "--records", str(records))
    if not args.skip_collect:
        ok &= part("collection", "collect.py", "--trees", "1000" if args.quick else "10000")
    if not args.skip_load:
        ok &= part(f"load at S{largest}", "load.py", "--scale", str(largest), "--duration", duration)
    import report

    report.write()
    log(f"benchmark finished in {(time.monotonic() - start) / 60:.1f} min: see bench/RESULTS.md")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
