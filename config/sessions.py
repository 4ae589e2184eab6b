"""The session engine: Django's database sessions, read with one prepared statement.

Every page request reads its session. Django's store builds and compiles an ORM query for that each time
(``Session.objects.get(session_key=..., expire_date__gt=now)``), which took Python about three times as long
as PostgreSQL took to answer it: the same statement is written here once. Sessions are stored, saved,
expired and cleared exactly as Django's own database store does them (same table, same data).
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """django.contrib.sessions.backends.db.SessionStore, with the read of a session in plain SQL."""

    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        # Quoted as the ORM quotes it (bench/pages.py tells the session's query from a page's by that).
        table = connection.ops.quote_name(model._meta.db_table)
        sql = (
            f'SELECT "session_data", "expire_date" FROM {table}'  # noqa: S608 - the model's own table
            ' WHERE "session_key" = %s AND "expire_date" > %s'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (self.session_key, timezone.now()))
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key is forgotten, and a new one is made on save.
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
