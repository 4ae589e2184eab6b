#!/usr/bin/env python
"""Server time and SQL query count of the REST API's list endpoints and of /metrics, on a bench dataset.

    bench/api_bench.py --scale 50 [--runs 12] [--warmup 2]

Named api_bench.py, not api.py: scripts run with bench/ first on the path, where an ``api`` module would
hide the Django app of that name. Measures like bench/pages.py (same in-process client, same timing of
every statement), logged in as the bench superuser; /metrics is scraped from 127.0.0.1, an allowed network.
``make bench`` runs it at the largest scale; results go to bench/results/api_s<scale>.json and the report.
"""

from __future__ import annotations

import argparse
import os
import sys

import benchlib
import datasets
import pages
from benchlib import log


def endpoint_list(objects: dict) -> list[tuple[str, str]]:
    """Every list endpoint, the three kinds of daily series for the representative objects, and /metrics."""
    team, pool = objects["team"], objects["pool"]
    endpoints = [
        ("api sites", "/api/v1/sites/"),
        ("api arrays", "/api/v1/arrays/"),
        ("api pools", "/api/v1/pools/"),
        ("api teams", "/api/v1/teams/"),
        ("api projects", "/api/v1/projects/"),
        ("api allocations", "/api/v1/allocations/"),
        ("api allocations 1000", "/api/v1/allocations/?page_size=1000"),
        ("api imports", "/api/v1/imports/"),
        ("api collector runs", "/api/v1/collector-runs/"),
        ("api team series", f"/api/v1/teams/{team['slug']}/usage/" if team else None),
        ("api pool series", f"/api/v1/pools/{pool['slug']}/usage/" if pool else None),
        ("metrics", "/metrics"),
    ]
    return [(name, url) for name, url in endpoints if url]


def measure(scale: int, *, runs: int, warmup: int) -> dict:
    info = datasets.ensure(scale, rebuild=False)
    benchlib.setup_django(info["database"])
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=datasets.BENCH_USER))
    objects = pages.pick_objects()
    results = []
    for name, url in endpoint_list(objects):
        result = pages.measure_page(client, name, url, runs, warmup)
        result.pop("_captured", None)
        results.append(result)
    data = {
        "scale": scale,
        "database": info["database"],
        "runs": runs,
        "warmup": warmup,
        "machine": benchlib.machine(),
        "load_average": os.getloadavg(),
        "endpoints": results,
    }
    path = benchlib.save_result("api", f"api_s{scale}", data)
    log(f"api at S{scale}: results in {path.relative_to(benchlib.ROOT)}")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--no-report", action="store_true", help="leave bench/RESULTS.md alone (run_all writes it)")
    args = parser.parse_args()
    measure(args.scale, runs=args.runs, warmup=args.warmup)
    if not args.no_report:
        import report

        report.write()


if __name__ == "__main__":
    sys.exit(main())
