"""Template context shared by every page."""

from django.http import HttpRequest

from dashboard.units import prefers_binary


def units(request: HttpRequest) -> dict:
    """``binary_units``: true when the user chose TiB/PiB over TB/PB (the header toggle shows it on every page)."""
    return {"binary_units": prefers_binary(request)}
