"""RESULTS.md marks each figure against its target and keeps every earlier run."""

import json

import benchlib
import pytest
import report


def page(name, median, queries, floor=None):
    result = {"name": name, "url": f"/{name}/", "median_ms": median, "p95_ms": median * 1.2, "sql_median_ms": 5.0}
    result.update(cpu_median_ms=3.0, queries=queries, queries_min=queries)
    if floor:
        result["floor"] = {"queries": queries - 2, "median_ms": floor, "ratio": round(median / floor, 2)}
    return result


def pages_record(run_id, scale, pages):
    return {"run_id": run_id, "part": "pages", "date": f"{run_id} UTC", "scale": scale, "pages": pages}


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(benchlib, "BENCH", tmp_path)
    monkeypatch.setattr(report, "RESULTS", tmp_path)

    def write(records):
        (tmp_path / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        report.write()
        return (tmp_path / "RESULTS.md").read_text()

    return write


def test_marks_pages_against_their_targets(results):
    text = results(
        [
            pages_record("2026-11-28 10:00", 50, [page("overview", 20.0, 9, floor=10.0), page("team", 30.0, 11)]),
            pages_record("2026-11-28 10:00", 500, [page("overview", 40.0, 9, floor=10.0), page("team", 80.0, 12)]),
        ]
    )
    summary = text.split("## Run")[0]
    assert "| overview page | median ≤ 50 ms | 40.0 ms (SQL 5, Django CPU 3) | ✅ |" in summary
    assert "| team page | median ≤ 50 ms | 80.0 ms (SQL 5, Django CPU 3) | ❌ |" in summary
    # 12 queries at S500 but 11 at S50: not flat.
    assert "| team page | queries ≤ 15, same at every scale | S500: 12, S50: 11 | ❌ |" in summary
    # 40 ms against a 10 ms floor is 4×.
    assert "| overview page | page ÷ floor ≤ 3 | 4.00× (40 / 10 ms) | ❌ |" in summary


def test_marks_imports_and_load(results):
    text = results(
        [
            {
                "run_id": "r1",
                "part": "imports",
                "date": "d",
                "scale": 500,
                "records": 1000,
                "ratio": 2.5,
                "import": {"seconds": 2.5, "records_per_second": 400, "exit_code": 0},
                "copy": {"seconds": 1.0, "records_per_second": 1000},
            },
            {
                "run_id": "r1",
                "part": "load",
                "date": "d",
                "scale": 500,
                "targets": [
                    {"name": "team", "url": "/t/", "requests_per_second": 10.0, "p50_ms": 100.0, "p99_ms": 1500.0}
                    | {"errors": 3, "non_2xx": 1, "socket_errors": 2, "timeouts": 2}
                ],
            },
        ]
    )
    assert "| ≤ 3× raw COPY time | 2.50× (400/s vs 1,000/s) | ✅ |" in text
    assert "| load: team (S500) | zero errors | 3 (1 non-2xx, 2 socket" in text
    assert "| load: team (S500) | p99 ≤ 10 × p50 | 1500 / 100 ms, 10.0 req/s | ❌ |" in text


def test_keeps_earlier_runs_newest_first(results):
    text = results(
        [
            pages_record("2026-11-27 09:00", 500, [page("overview", 90.0, 9)]),
            pages_record("2026-11-28 09:00", 500, [page("overview", 45.0, 9)]),
        ]
    )
    runs = [line for line in text.splitlines() if line.startswith("## Run")]
    assert len(runs) == 2
    assert "2026-11-28" in runs[0] and "2026-11-27" in runs[1]


def test_marks_the_api_against_its_targets(results):
    endpoints = [
        {"name": "api teams", "url": "/api/v1/teams/", "median_ms": 31.0, "p95_ms": 40.0, "queries": 4},
        {"name": "api projects", "url": "/api/v1/projects/", "median_ms": 51.0, "p95_ms": 60.0, "queries": 4},
        {"name": "api allocations 1000", "url": "/api/v1/allocations/?page_size=1000", "median_ms": 75.5,
         "p95_ms": 90.0, "queries": 4},
        {"name": "metrics", "url": "/metrics", "median_ms": 150.0, "p95_ms": 170.0, "queries": 5},
    ]  # fmt: skip
    text = results(
        [
            pages_record("r1", 500, [page("overview", 40.0, 9)]),
            {"run_id": "r1", "part": "api", "date": "d", "scale": 500, "runs": 12, "endpoints": endpoints},
        ]
    )
    summary = text.split("## Run")[0]
    assert "| api teams (S500) | median ≤ 50 ms | 31.0 ms, 4 queries | ✅ |" in summary
    assert "| api projects (S500) | median ≤ 50 ms | 51.0 ms, 4 queries | ❌ |" in summary
    # A 1,000-row page is shown, but the target is for a list at its default page size.
    assert "| api allocations 1000 (S500) | median ≤ 50 ms | 75.5 ms, 4 queries | ℹ️ information |" in summary
    assert "| metrics (S500) | median ≤ 200 ms | 150.0 ms, 5 queries | ✅ |" in summary
    assert "### API" in text and "| metrics `/metrics` | 150.0 |" in text


def wide_record(run_id, days, pages):
    return {
        "run_id": run_id,
        "part": "wide_pages",
        "date": f"{run_id} UTC",
        "scale": None,
        "wide_days": days,
        "runs": 10,
        "warmup": 2,
        "objects": {"team": {"slug": "wide-big-team", "allocations": 509}, "pool": {"array": "a", "slug": "p"}},
        "pages": pages,
    }


def csv_page(first_byte, whole, queries=3):
    result = page("allocations CSV", whole, queries)
    return result | {"url": "/allocations/?format=csv", "first_byte_median_ms": first_byte, "bytes": 2_500_000}


def test_the_wide_shape_has_its_own_section_and_its_misses_in_the_summary(results):
    wide_dataset = {
        "run_id": "r1",
        "part": "wide_dataset",
        "date": "d",
        "days": 30,
        "database": "cap_bench_wide_d30",
        "counts": {"arrays": 160, "pools": 600, "projects": 2000, "allocations": 10000, "samples": 298500}
        | {"big_team_allocations": 509, "big_team_members": 309},
        "load_seconds": 11.0,
        "loaded_at": "now",
    }
    text = results(
        [
            pages_record("r1", 500, [page("storage", 20.0, 7), page("team", 30.0, 12)]),
            wide_dataset,
            wide_record("r1", 30, [page("storage", 24.0, 7), page("team", 61.0, 12), csv_page(12.0, 900.0)]),
            wide_record("r1", 300, [page("storage", 26.0, 7), page("team", 40.0, 13), csv_page(60.0, 950.0)]),
        ]
    )
    summary = text.split("## Run")[0]
    assert "| wide shape, 30 days: storage | median ≤ 50 ms | 24.0 ms (SQL 5, Django CPU 3) | ✅ |" in summary
    assert "| wide shape, 30 days: team | median ≤ 50 ms | 61.0 ms (SQL 5, Django CPU 3) | ❌ |" in summary
    # The CSV streams: judged on its first byte, the whole download shown.
    assert (
        "| wide shape, 30 days: allocations CSV | first byte ≤ 50 ms | 12.0 ms (whole file 900 ms, 2.5 MB) | ✅ |"
        in summary
    )
    assert "| wide shape, 300 days: allocations CSV | first byte ≤ 50 ms | 60.0 ms" in summary
    # Query counts against S500 and the other history: 13 at 300 days is a miss.
    assert (
        "| wide shape, 300 days: team | same queries as the scaled datasets and the other history "
        "| 13 (S500: 12, 30 days: 12) | ❌ |"
    ) in summary
    misses = next(line for line in summary.splitlines() if line.startswith("**Misses:**"))
    assert "wide shape, 30 days: team (median ≤ 50 ms" in misses and "300 days: allocations CSV" in misses
    assert "wide shape, 30 days: storage" not in misses
    section = text.split("### Wide shape (bench/wide.py)")[1]
    assert "| 30 days | `cap_bench_wide_d30` | 160 | 600 | 2,000 | 10,000 | 509, 309 | 298,500 |" in section
    assert "#### Pages on the wide shape, 30 days of history" in section
    assert "| team | `/team/` | 61.0 ❌ |" in section


def test_no_misses_says_so(results):
    text = results([pages_record("r1", 500, [page("overview", 40.0, 9)])])
    assert "**Misses:** none." in text


def test_marks_the_collection_against_its_target(results):
    collect = {"run_id": "r1", "part": "collect", "date": "d", "revision": "abc1234", "trees": 10000, "seconds": 9.9,
               "per_second": 1011.0, "samples_added": 10000, "sessions_opened": 1, "sessions_closed": 1,
               "target_seconds": 30.0}  # fmt: skip
    summary = results([pages_record("r1", 500, [page("overview", 40.0, 9)]), collect]).split("## Run")[0]
    assert "| collection of 10,000 quota trees from the simulated DeviceManager | ≤ 30 s end to end" in summary
    assert "9.9 s (1,011 trees/s, 10,000 samples; sessions opened 1, closed 1; revision `abc1234`) | ✅ |" in summary
    leaked = {**collect, "sessions_closed": 0}
    summary = results([pages_record("r1", 500, [page("overview", 40.0, 9)]), leaked]).split("## Run")[0]
    assert "closed 0; revision `abc1234`) | ❌ |" in summary
