#!/usr/bin/env python
"""Showback timing: the report's SQL, the page and the CSV download, for one month and a range of months.

    bench/showback_timing.py --database cap_sb_s500 [--month 2026-11] [--months 12] [--runs 3]

In-process through the real URL stack (Django's test Client, deployment settings), logged in as the bench's
superuser; the database is only read. "sql" is the time of inventory.showback.monthly_byte_days (every
project's byte-days, the query the page and the files are drawn from); "page", "csv" are whole responses
(the CSV read to its end). Medians of --runs after --warmup runs.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

import benchlib


def _median_ms(run, runs: int, warmup: int) -> tuple[float, object]:
    for _ in range(warmup):
        run()
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1), result


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--month", default=None, help="YYYY-MM (default: last month)")
    parser.add_argument("--months", type=int, default=12, help="the range: this many months up to --month")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    benchlib.collectstatic()
    benchlib.setup_django(args.database)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from inventory.showback import Month, monthly_byte_days, months_between

    today = datetime.datetime.now(datetime.UTC).date()
    if args.month:
        year, month = args.month.split("-")
        last = Month(int(year), int(month))
    else:
        last = Month.of(today.replace(day=1) - datetime.timedelta(days=1))
    first = last
    for _ in range(args.months - 1):
        first = Month.of(first.first_day - datetime.timedelta(days=1))
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    for label, months, query in (
        ("one month", [last], {"month": str(last)}),
        (f"{args.months} months", months_between(first, last), {"from": str(first), "to": str(last)}),
    ):
        sql_ms, rows = _median_ms(lambda months=months: monthly_byte_days(months, today=today), args.runs, args.warmup)
        print(f"{label}: sql {sql_ms} ms ({len(rows)} project-tier-month rows)")
        for name, extra in (("page", {}), ("csv", {"format": "csv"})):
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            def get(extra=extra, query=query):
                response = client.get("/reports/showback/", {**query, **extra})
                assert response.status_code == 200, response.status_code
                return _body(response)

            with connection.execute_wrapper(count):
                ms, body = _median_ms(get, args.runs, args.warmup)
            print(f"  {name}: {ms} ms, {len(body) / 1e6:.2f} MB, {len(queries) // (args.runs + args.warmup)} queries")


if __name__ == "__main__":
    main()
