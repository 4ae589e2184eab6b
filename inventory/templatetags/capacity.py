"""Template filters for capacities and percentages.

    {% load capacity %}
    {{ pool.usable_bytes|capacity }}            -> 2.00 PB
    {{ pool.usable_bytes|capacity:"binary" }}   -> 1.78 PiB
    {{ pool.usable_bytes|capacity_units:prefers_binary }}
    <span title="{{ pool.usable_bytes|capacity_title }}">...</span>
    {{ utilisation_percent|percent }}           -> 85.3 %

``None`` prints "—" (no value, or no limit). Output is plain text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from inventory.units import NO_VALUE, format_bytes_exact, format_capacity

register = template.Library()

_SYSTEMS = {"": False, "decimal": False, "binary": True}


@register.filter
def capacity(value, system: str = "") -> str:
    """Bytes with three significant figures; ``"binary"`` for KiB/MiB/..., otherwise decimal units."""
    if system not in _SYSTEMS:
        # A typo in a template should fail loudly in tests, not silently show the wrong units.
        raise template.TemplateSyntaxError(f'capacity takes "decimal" or "binary", not "{system}"')
    return _format(value, binary=_SYSTEMS[system])


@register.filter
def capacity_units(value, binary) -> str:
    """Like ``capacity``, with the unit system chosen by a boolean (a user's preference)."""
    return _format(value, binary=bool(binary))


@register.filter
def capacity_title(value) -> str:
    """The exact byte count with thousands separators, for ``title=`` attributes; "" for no value."""
    try:
        return format_bytes_exact(value)
    except TypeError:
        return ""


@register.filter
def percent(value) -> str:
    """A percentage (0-100, or above when over quota) with one decimal: 85.25 -> "85.3 %"."""
    if value is None or value == "":
        return NO_VALUE
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not amount.is_finite():
        return NO_VALUE
    rounded = amount.quantize(Decimal("0.1"), ROUND_HALF_UP)
    # abs() turns "-0.0" (a tiny negative delta) into "0.0".
    return f"{abs(rounded) if rounded == 0 else rounded} %"


def _format(value, *, binary: bool) -> str:
    if value is None or value == "":
        return NO_VALUE
    try:
        return format_capacity(value, binary=binary)
    except TypeError:
        # Django filters fail quietly on values they cannot handle (e.g. a float or a string).
        return ""
