"""Password sign-in, which settings.PASSWORD_LOGIN can limit to break-glass superusers or turn off."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

ON, SUPERUSERS, OFF = "on", "superusers", "off"


def password_login_mode() -> str:
    mode = str(getattr(settings, "PASSWORD_LOGIN", ON)).strip().lower()
    return mode if mode in (ON, SUPERUSERS, OFF) else OFF  # an unknown value fails closed


class PasswordBackend(ModelBackend):
    """Django's own user/password check, refused where PASSWORD_LOGIN does not allow it.

    Sessions made by single sign-on also name this backend (it loads the user of every session).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        mode = password_login_mode()
        if mode == OFF:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and mode == SUPERUSERS and not user.is_superuser:
            return None
        return user

    def get_user(self, user_id):
        """The session's user, as ModelBackend.get_user gives it (None if gone or inactive), read with one
        statement written once: every page request loads its user, and building the ORM's
        ``get(pk=...)`` took Python longer than PostgreSQL took to answer it."""
        user_model = get_user_model()
        sql, attnames = _user_statement()
        with connections[router.db_for_read(user_model)].cursor() as cursor:
            cursor.execute(sql, (user_model._meta.pk.get_db_prep_value(user_id, cursor.db),))
            row = cursor.fetchone()
        if row is None:
            return None
        user = user_model.from_db(cursor.db.alias, attnames, row)
        return user if self.user_can_authenticate(user) else None


@cache
def _user_statement() -> tuple[str, list[str]]:
    """The SELECT of one user by primary key (every field, in the model's order) and the fields' names."""
    opts = get_user_model()._meta
    fields = opts.concrete_fields
    quote = connections[router.db_for_read(get_user_model())].ops.quote_name
    # Names quoted as the ORM quotes them (bench/pages.py tells the user's query from a page's by that).
    columns = ", ".join(quote(field.column) for field in fields)
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    sql = f"SELECT {columns} FROM {table} WHERE {pk} = %s"  # noqa: S608 - the model's own names
    return sql, [field.attname for field in fields]
