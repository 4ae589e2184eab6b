"""Connections killed on the server (restart, failover, pg_terminate_backend) cost no request an error.

Through a live server: Django's test client keeps one connection for the whole test, while real
requests take a connection from the pool and give it back.
"""

import threading

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.config.servers import database_url, get


def _kill_backends() -> int:
    """Terminate every other backend of the test database (from outside Django's pool); wait until they are gone."""
    name = connection.settings_dict["NAME"]
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as admin:
        pids = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
            )
        ]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])  # waits up to 10 s for it to exit
    return len(pids)


# serialized_rollback: the flush after a transactional test would otherwise drop the data the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_succeed_after_the_pooled_connections_were_killed(live_server, researcher):
    client = Client()
    client.force_login(researcher)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}

    def page(path):
        return get(f"{live_server.url}{path}", headers=cookie, timeout=30)[0]

    # Requests at the same moment each take a connection: the pool holds several.
    threads = [threading.Thread(target=page, args=("/teams/",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert page("/teams/") == 200
    connection.close()  # this test's own connection goes back to the pool too
    assert _kill_backends() >= 2
    paths = ["/teams/", "/projects/", "/", "/storage/", "/allocations/", "/teams/", "/projects/", "/"]
    assert [page(path) for path in paths] == [200] * len(paths)


@pytest.mark.django_db
def test_statements_and_connections_have_time_limits():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 3
