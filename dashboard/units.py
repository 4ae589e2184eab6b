"""Which unit system (decimal TB or binary TiB) the current user reads capacities in."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from inventory.models import UnitPreference

_CACHE_ATTRIBUTE = "_capacity_binary_units"


def prefers_binary(request: HttpRequest) -> bool:
    """The user's saved choice, else the site default; looked up once per request (one query at most)."""
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    default = bool(getattr(settings, "CAPACITY_DEFAULT_BINARY", False))
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        binary = default
    else:
        binary = default if (saved := _saved_choice(user.pk)) is None else saved
    setattr(request, _CACHE_ATTRIBUTE, binary)
    return binary


def _saved_choice(user_id: int) -> bool | None:
    """The user's saved choice, if any. Plain SQL (the user has one row at most): every page asks, and the
    ORM's query took longer to build than to run."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "binary" FROM {UnitPreference._meta.db_table} WHERE user_id = %s', (user_id,))
        row = cursor.fetchone()
    return None if row is None else row[0]


def set_binary(request: HttpRequest, *, binary: bool) -> None:
    """Remember the choice for the user (one row per user) and for the rest of this request."""
    UnitPreference.objects.update_or_create(user=request.user, defaults={"binary": binary})
    setattr(request, _CACHE_ATTRIBUTE, binary)
