"""Statistics, database URLs and the compact history of the benchmark's shared module."""

import benchlib
import pytest


def test_p95_is_the_nearest_rank():
    assert benchlib.p95(list(range(1, 21))) == 19
    assert benchlib.p95([3.0, 1.0, 2.0]) == 3.0
    assert benchlib.median([5.0, 1.0, 3.0]) == 3.0


@pytest.fixture
def server(monkeypatch):
    def use(url):
        monkeypatch.setattr(benchlib, "_server_url", url)

    return use


def test_dataset_databases_on_a_tcp_server(server):
    server("postgres://postgres@127.0.0.1:5432/cap_dev")
    assert benchlib.db_url("cap_bench_s50") == "postgresql://postgres@127.0.0.1:5432/cap_bench_s50"
    assert benchlib.libpq_url("cap_bench_s50") == "dbname=cap_bench_s50 user=postgres host=127.0.0.1 port=5432"


def test_dataset_databases_on_a_socket_server(server):
    # The embedded server is reached through a socket directory, which django-environ reads from the path.
    server("postgresql://postgres@/%2Ftmp%2Fpg%20sock/postgres")
    assert benchlib.db_url("cap_bench_s500") == "postgresql://postgres@/%2Ftmp%2Fpg%20sock/cap_bench_s500"
    assert benchlib.libpq_url("cap_bench_s500") == "dbname=cap_bench_s500 user=postgres host='/tmp/pg sock'"


def test_smoke_scales_share_the_scratch_database():
    assert benchlib.dataset_db(2) == benchlib.scratch_db()
    assert benchlib.dataset_db(500) == f"{benchlib.PREFIX}_s500"


def test_history_keeps_figures_but_not_bulky_details():
    record = {
        "pages": [
            {
                "name": "team",
                "median_ms": 12.0,
                "per_query": [{"sql": "SELECT 1"}],
                "times_ms": [1, 2],
                "slowest_query": {"sql": "x" * 5000, "explain": "\n".join(["line"] * 100)},
            }
        ]
    }
    page = benchlib._compact(record)["pages"][0]
    assert page["median_ms"] == 12.0
    assert "per_query" not in page and "times_ms" not in page
    assert len(page["slowest_query"]["sql"]) == 3000
    assert len(page["slowest_query"]["explain"].splitlines()) == 60
