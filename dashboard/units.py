"""Which unit system (decimal TB or binary TiB) the current user reads capacities in."""

from __future__ import annotations

from django.conf import settings
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
        saved = UnitPreference.objects.filter(user=user).values_list("binary", flat=True).first()
        binary = default if saved is None else saved
    setattr(request, _CACHE_ATTRIBUTE, binary)
    return binary


def set_binary(request: HttpRequest, *, binary: bool) -> None:
    """Remember the choice for the user (one row per user) and for the rest of this request."""
    UnitPreference.objects.update_or_create(user=request.user, defaults={"binary": binary})
    setattr(request, _CACHE_ATTRIBUTE, binary)
