"""A database outage answers within seconds with a 503 page that says so, security headers included."""

import time

import pytest

from tests.config.servers import free_port, get, gunicorn, silent_tcp_server

# Behind the TLS proxy: without this header production settings redirect to HTTPS before any query.
HEADERS = {
    "Host": "capacity.example.org",
    "X-Forwarded-Proto": "https",
    # Any session cookie makes the request load the session from the database, even a made-up one.
    "Cookie": "sessionid=madeupsessionkey0123456789abcdef",
}
#: The pool waits DATABASE_POOL_TIMEOUT for a connection; one wait, then the answer.
WITHIN_SECONDS = 12


def _assert_database_unavailable_page(status, headers, body, elapsed):
    assert status == 503, body[:500]
    assert elapsed < WITHIN_SECONDS, f"took {elapsed:.1f} s"
    assert "The database is unavailable" in body
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" in headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    # No configuration leaks.
    assert "127.0.0.1" not in body


@pytest.mark.parametrize("database", ["nothing listens", "accepts and never answers"])
def test_pages_answer_503_within_seconds_while_the_database_is_unreachable(database, static_root):
    with silent_tcp_server() as silent_port:
        port = free_port() if database == "nothing listens" else silent_port
        env = {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/capacity",
            "DATABASE_POOL_TIMEOUT": "4",
            "STATIC_ROOT": static_root,
        }
        with gunicorn(env, timeout=60) as web:
            for path in ["/", "/teams/", "/admin/"]:
                started = time.monotonic()
                status, headers, body = get(f"http://127.0.0.1:{web}{path}", headers=HEADERS)
                _assert_database_unavailable_page(status, headers, body, time.monotonic() - started)
            started = time.monotonic()
            status, _, body = get(f"http://127.0.0.1:{web}/healthz")
            assert status == 503
            assert time.monotonic() - started < WITHIN_SECONDS
