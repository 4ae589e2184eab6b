#!/usr/bin/env python
"""Server time, SQL query count and SQL time of every dashboard page and three admin changelists.

    bench/pages.py --scale 50 [--runs 12] [--warmup 2] [--rebuild]
    bench/pages.py --wide-days 30     # the wide shape (bench/wide.py): 600 pools, a team of 309 members


In-process, through the real URL stack (Django's test Client, deployment settings: DEBUG off), logged in
as a superuser. Each page gets a warm-up and then `--runs` timed requests; every SQL statement is timed
with `connection.execute_wrapper`. For the overview and the team page the "floor" is the page's own
queries (not the session and user lookups) run alone on a cursor with the same parameters, as many times:
page ÷ floor says how much the page adds on top of its SQL. The slowest query of each page is run once
more under EXPLAIN (ANALYZE, BUFFERS) for the report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

import benchlib
import datasets
import wide
from benchlib import log, median, p95

#: Pages whose floor we measure.
FLOOR_PAGES = ("overview", "team")
#: Queries that belong to the request machinery rather than to the page itself.
FRAMEWORK_TABLES = ('"django_session"', '"auth_user"', '"auth_group"', '"auth_permission"', '"django_content_type"')


class Recorder:
    """An execute wrapper that times every statement (execution and fetching of the result)."""

    def __init__(self):
        self.queries: list[tuple[str, object, bool, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, many, time.perf_counter() - start))


def is_framework(sql: str) -> bool:
    head = sql.split(" WHERE ", 1)[0]
    return any(f"FROM {table}" in head for table in FRAMEWORK_TABLES) or sql.startswith(("SAVEPOINT", "RELEASE"))


def pick_objects() -> dict:
    """Representative objects: the biggest team, the project with most allocations, the fullest pool."""
    from django.db.models import Count, Q, Sum

    from inventory.models import ResearchProject, StoragePool, Team

    team = Team.objects.annotate(n=Count("projects__allocations")).order_by("-n", "slug").first()
    project = ResearchProject.objects.annotate(n=Count("allocations")).order_by("-n", "code").first()
    pools = list(
        StoragePool.objects.select_related("array").annotate(
            used=Sum("allocations__used_bytes", filter=Q(allocations__status="active"))
        )
    )
    pool = max(pools, key=lambda p: ((p.used or 0) / p.capacity_bytes) if p.capacity_bytes else 0, default=None)
    return {
        "team": team and {"slug": team.slug, "allocations": team.n},
        "project": project and {"code": project.code, "allocations": project.n},
        "pool": pool
        and {
            "slug": pool.slug,
            "array": pool.array.slug,
            "used_fraction": round((pool.used or 0) / pool.capacity_bytes, 3) if pool.capacity_bytes else None,
        },
    }


#: Measured on the wide shape only: its 10,000 rows are a download, not a page (first byte and whole file).
WIDE_EXTRA_PAGES = (("allocations CSV", "/allocations/?format=csv"),)


def page_list(objects: dict, *, wide_shape: bool = False) -> list[tuple[str, str]]:
    team, project, pool = objects["team"], objects["project"], objects["pool"]
    pages = [
        ("overview", "/"),
        ("team list", "/teams/"),
        ("team", f"/teams/{team['slug']}/" if team else None),
        ("project list", "/projects/"),
        ("project", f"/projects/{project['code']}/" if project else None),
        ("storage", "/storage/"),
        ("array", f"/storage/{pool['array']}/" if pool else None),
        ("pool", f"/storage/{pool['array']}/{pool['slug']}/" if pool else None),
        ("allocations", "/allocations/"),
        ("showback", "/reports/showback/"),
        ("admin allocations", "/admin/inventory/allocation/"),
        ("admin projects", "/admin/inventory/researchproject/"),
        ("admin usage samples", "/admin/inventory/usagesample/"),
    ]
    if wide_shape:
        pages += WIDE_EXTRA_PAGES
    return [(name, url) for name, url in pages if url]


def measure_page(client, name: str, url: str, runs: int, warmup: int) -> dict:
    from django.db import connection

    result = {"name": name, "url": url}
    try:
        for _ in range(warmup):
            response = client.get(url, secure=True)
    except Exception as exc:  # noqa: BLE001 - a broken page is a finding, not a crash of the benchmark
        result.update(status="error", error=f"{exc.__class__.__name__}: {exc}", traceback=traceback.format_exc())
        log(f"  {name:22} {url}: ERROR {exc.__class__.__name__}: {exc}")
        return result
    result["status"] = response.status_code
    result["bytes"] = len(read_body(response))
    if response.status_code != 200:
        log(f"  {name:22} {url}: HTTP {response.status_code} (not measured)")
        return result
    times, sql_times, cpu_times, counts, recorders, first_bytes = [], [], [], [], [], []
    for _ in range(runs):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.get(url, secure=True)
            if response.streaming:
                # A streamed download runs its queries as it is read: time the first chunk and the whole.
                chunks = iter(response.streaming_content)
                next(chunks, b"")
                first_bytes.append((time.perf_counter() - start) * 1000)
                for _chunk in chunks:
                    pass
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if response.status_code != 200:
            result["status"] = response.status_code
        times.append(elapsed * 1000)
        cpu_times.append(cpu * 1000)
        sql_times.append(sum(q[3] for q in recorder.queries) * 1000)
        counts.append(len(recorder.queries))
        recorders.append(recorder)
    # Per statement (by position in the page): its median time over the runs.
    last = recorders[-1].queries
    per_query = []
    for index, (sql, params, _many, _) in enumerate(last):
        samples = [r.queries[index][3] * 1000 for r in recorders if len(r.queries) > index]
        per_query.append(
            {
                "index": index,
                "median_ms": round(median(samples), 3),
                "framework": is_framework(sql),
                "sql": sql,
                "params": repr(params),
            }
        )
    result.update(
        runs=runs,
        median_ms=round(median(times), 2),
        p95_ms=round(p95(times), 2),
        min_ms=round(min(times), 2),
        sql_median_ms=round(median(sql_times), 2),
        # This process's CPU time per request (Django and psycopg, not PostgreSQL): unlike wall time it
        # hardly grows when other work competes for the CPUs.
        cpu_median_ms=round(median(cpu_times), 2),
        queries=max(counts),
        queries_min=min(counts),
        times_ms=[round(t, 2) for t in times],
        streamed=bool(first_bytes),
        per_query=per_query,
        _captured=last,
    )
    if first_bytes:
        result["first_byte_median_ms"] = round(median(first_bytes), 2)
    log(
        f"  {name:22} median {result['median_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f} ms  "
        f"SQL {result['sql_median_ms']:7.1f} ms in {result['queries']:3d} queries, Python CPU {result['cpu_median_ms']:6.1f} ms"
    )
    return result


def run_floor(result: dict, runs: int) -> None:
    """Run the page's own statements alone, on a cursor, `runs` times: the floor the page cannot beat."""
    from django.db import connection

    statements = [(sql, params, many) for sql, params, many, _ in result["_captured"] if not is_framework(sql)]
    totals = []
    for _ in range(runs + 1):  # the first is a warm-up
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params, many in statements:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        totals.append((time.perf_counter() - start) * 1000)
    floor = median(totals[1:])
    result["floor"] = {
        "queries": len(statements),
        "median_ms": round(floor, 2),
        "ratio": round(result["median_ms"] / floor, 2) if floor else None,
    }
    log(f"  {'':22} floor {floor:8.1f} ms for {len(statements)} queries: page ÷ floor = {result['floor']['ratio']}")


def explain_slowest(result: dict) -> None:
    from django.db import connection

    candidates = [q for q in result.get("per_query", []) if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    if not candidates:
        return
    slowest = max(candidates, key=lambda q: q["median_ms"])
    sql, params, _many, _ = result["_captured"][slowest["index"]]
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    except Exception as exc:  # noqa: BLE001
        plan = f"(EXPLAIN failed: {exc})"
    result["slowest_query"] = {**slowest, "explain": plan}


def read_body(response) -> bytes:
    """The whole body, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def calibrate() -> dict:
    """How busy the machine is right now: a trivial query's round trip and a fixed piece of Python.

    Compare between runs on the same machine: when these are several times their quiet values, other work
    competed for the CPUs and every page figure is inflated by about as much.
    """
    from django.db import connection

    trips = []
    with connection.cursor() as cursor:
        for _ in range(50):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            trips.append((time.perf_counter() - start) * 1000)
    loops = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(500_000):
            total += i % 7
        loops.append((time.perf_counter() - start) * 1000)
    return {
        "select1_median_ms": round(median(trips), 3),
        "python_loop_median_ms": round(median(loops), 1),
        "load_average": os.getloadavg(),
    }


def profile_page(client, result: dict, out) -> None:
    """One more request under cProfile: where the time outside SQL goes (templates, forms, Python)."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    read_body(client.get(result["url"], secure=True))
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    out.write(f"\n===== {result['name']} {result['url']} (median {result.get('median_ms')} ms) =====\n")
    out.write(text.getvalue())


def measure(scale: int | None, *, runs: int, warmup: int, rebuild: bool, wide_days: int | None = None) -> dict:
    """Every page on the scaled dataset S<scale>, or on the wide shape with *wide_days* of history."""
    if wide_days is not None:
        info = wide.ensure(wide_days, rebuild=rebuild)
        label, name, part = f"wide shape ({wide_days} days)", f"pages_wide_d{wide_days}", "wide_pages"
    else:
        info = datasets.ensure(scale, rebuild=rebuild)
        label, name, part = f"S{scale}", f"pages_s{scale}", "pages"
    benchlib.collectstatic()
    benchlib.setup_django(info["database"])
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username=datasets.BENCH_USER)
    objects = pick_objects()
    log(f"pages at {label}: team {objects['team']}, project {objects['project']}, pool {objects['pool']}")
    client = Client()
    client.force_login(user)
    before = calibrate()
    log(
        f"  calibration: SELECT 1 {before['select1_median_ms']} ms, Python loop {before['python_loop_median_ms']} ms, load {before['load_average']}"
    )
    pages = []
    benchlib.RESULTS.mkdir(parents=True, exist_ok=True)
    profile_path = benchlib.RESULTS / f"profile_{name.removeprefix('pages_')}.txt"
    with profile_path.open("w") as profiles:
        for page_name, url in page_list(objects, wide_shape=wide_days is not None):
            result = measure_page(client, page_name, url, runs, warmup)
            if page_name in FLOOR_PAGES and "median_ms" in result:
                run_floor(result, runs)
            if "median_ms" in result:
                explain_slowest(result)
                profile_page(client, result, profiles)
            result.pop("_captured", None)
            pages.append(result)
    data = {
        "scale": scale,
        "wide_days": wide_days,
        "database": info["database"],
        "dataset": {k: info.get(k) for k in ("counts", "load_seconds", "loaded_at", "reused")},
        "objects": objects,
        "runs": runs,
        "warmup": warmup,
        "machine": benchlib.machine(),
        # Other work on the machine inflates every figure: note how busy it was, before and after.
        "load_average": os.getloadavg(),
        "calibration": {"before": before, "after": calibrate()},
        "pages": pages,
    }
    path = benchlib.save_result(part, name, data)
    log(f"pages at {label}: results in {path.relative_to(benchlib.ROOT)}")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shape = parser.add_mutually_exclusive_group(required=True)
    shape.add_argument("--scale", type=int, help="the demo dataset at this scale (bench/datasets.py)")
    shape.add_argument("--wide-days", type=int, help="the wide shape with this many days of history (bench/wide.py)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (at least 10)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="reload the dataset even if present")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite RESULTS.md")
    args = parser.parse_args()
    measure(args.scale, runs=args.runs, warmup=args.warmup, rebuild=args.rebuild, wide_days=args.wide_days)
    if not args.no_report:
        import report

        report.write()


if __name__ == "__main__":
    sys.exit(main())
