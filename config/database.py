"""How Django's psycopg connection pool checks a connection before handing it out."""

from django.db import DEFAULT_DB_ALIAS, connections
from psycopg_pool import ConnectionPool


def check_pooled_connection(conn) -> None:
    """Raise if *conn* is dead (its backend was killed, the server restarted or failed over).

    The pool then discards it and tries another, but it waits longer before each next try
    (one second, then two, ...): after a restart every idle connection is dead, and trying
    them one by one would outlast the pool's timeout. So the first dead one makes the pool
    check all its idle connections at once, and replace those that are dead.
    """
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        connections[DEFAULT_DB_ALIAS].pool.check()
        raise
