"""wrk's output must be read right: an error the benchmark misses would pass a failing target."""

import load
import pytest

WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:39579/teams/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.26s   515.85ms   1.99s    63.89%
    Req/Sec     7.74      4.63    20.00     74.29%
  Latency Distribution
     50%  850.25ms
     75%    1.59s
     90%    1.80s
     99%    1.99s
  143 requests in 20.02s, 0.95MB read
  Socket errors: connect 1, read 2, write 0, timeout 7
  Non-2xx or 3xx responses: 3
Requests/sec:      7.14
Transfer/sec:    194.33KB
BENCH non2xx 5
"""


def test_parse_wrk_reads_rate_and_latencies():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result["requests_per_second"] == 7.14
    assert result["requests"] == 143
    assert result["p50_ms"] == pytest.approx(850.25)
    assert result["p99_ms"] == pytest.approx(1990.0)


def test_parse_wrk_counts_socket_errors_and_every_non_2xx():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result["socket_errors"] == 10
    assert result["timeouts"] == 7
    # The Lua script's count (redirects included), not wrk's own "Non-2xx or 3xx" line.
    assert result["non_2xx"] == 5
    assert result["errors"] == 15


def test_parse_wrk_without_the_script_count_is_not_zero_errors():
    result = load.parse_wrk(WRK_OUTPUT.replace("BENCH non2xx 5\n", ""))
    assert result["errors"] is None


@pytest.mark.parametrize(("text", "ms"), [("250.00us", 0.25), ("12.5ms", 12.5), ("1.99s", 1990.0), ("1.5m", 90000.0)])
def test_to_ms_units(text, ms):
    assert load.to_ms(text) == pytest.approx(ms)
