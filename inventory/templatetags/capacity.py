"""Template filters for capacities, percentages and plain numbers on pages, in the active language's format.

    {% load capacity %}
    {{ pool.usable_bytes|capacity }}                      -> "2.00 PB" (English), "2,00 PB" (bokmål)
    {{ pool.usable_bytes|capacity:"binary" }}             -> "1.78 PiB"
    {{ pool.usable_bytes|capacity_units:prefers_binary }} -> either, by a user's preference
    <span title="{{ pool.usable_bytes|capacity_title }}"> -> "2,000,000,000,000,000 bytes" / "2 000 … byte"
    {{ utilisation_percent|percent }}                     -> "85.3 %" / "85,3 %"

``None`` prints "—" (no value, or no limit). Three significant figures, one decimal for percentages; only
the separators follow the language. Only pages use these: CSV files and the API keep machine-readable
numbers with a dot (they format with inventory.units directly). Unit symbols (TB, TiB, %) are never
translated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import numberformat
from django.utils.formats import get_format, localize
from django.utils.functional import cached_property
from django.utils.translation import get_language, ngettext

from inventory.units import NO_VALUE, format_capacity_parts

register = template.Library()

_SYSTEMS = {"": False, "decimal": False, "binary": True}


class LocalNumbers:
    """The active language's number formats, for a table or chart that writes many numbers: make one and
    format every number with it (the filters below make one per number; looking the language's separators
    up cost more than formatting the number when a page writes hundreds)."""

    def __init__(self) -> None:
        self.language = get_language()
        self.decimal_separator = get_format("DECIMAL_SEPARATOR", self.language)

    @cached_property
    def _grouping(self) -> tuple[object, str]:
        return get_format("NUMBER_GROUPING", self.language), get_format("THOUSAND_SEPARATOR", self.language)

    def number_text(self, text: str) -> str:
        """A number written with a dot ("1.21", "-0.5") with the language's decimal separator ("1,21").

        For numbers already rounded as shown (three significant figures, one decimal...): only the separator
        changes, never the digits. Thousands are not grouped (no figure shown this way reaches 1000 except
        byte counts below 1 kB, which read fine ungrouped).
        """
        separator = self.decimal_separator
        return text.replace(".", separator) if separator != "." else text

    def capacity(self, value, *, binary: bool = False) -> str:
        """Bytes with three significant figures: "1.21 PB" / "1,21 PB"; "—" for None."""
        if value is None or value == "":
            return NO_VALUE
        try:
            number, symbol = format_capacity_parts(value, binary=binary)
        except TypeError:
            # Django filters fail quietly on values they cannot handle (e.g. a float or a string).
            return ""
        number = self.number_text(number)
        return f"{number} {symbol}" if symbol else number

    def percent(self, value) -> str:
        """A percentage (0-100, or above when over quota) with one decimal: "85.3 %" / "85,3 %"."""
        return self.number_text(_percent_text(value))

    def integer(self, value) -> str:
        """A whole number with the language's thousands separator: "12,345" / "12 345"."""
        grouping, thousand_separator = self._grouping
        if type(value) is int and grouping == 3:
            # What numberformat.format writes for groups of three, in one step (byte counts in every title).
            return f"{value:,}".replace(",", thousand_separator)
        return numberformat.format(
            value, self.decimal_separator, None, grouping, thousand_separator, force_grouping=True
        )

    def count(self, value) -> str:
        """A whole number as a template writes ``{{ value }}`` (grouped only where USE_THOUSAND_SEPARATOR says)."""
        if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
            return str(value)
        return str(localize(value))

    def byte_count(self, value) -> str:
        """The exact byte count, for ``title=`` attributes: "2,000,000,000,000,000 bytes"; "" for none."""
        if value is None or isinstance(value, bool):
            return ""
        try:
            count = int(value)
        except (TypeError, ValueError):
            return ""
        if count != value:
            return ""
        return ngettext("%(count)s byte", "%(count)s bytes", abs(count)) % {"count": self.integer(count)}


def localize_number_text(text: str) -> str:
    """A number written with a dot in the active language's decimal separator (LocalNumbers.number_text)."""
    return LocalNumbers().number_text(text)


def localized_capacity(value, *, binary: bool = False) -> str:
    """Bytes with three significant figures in the active language: "1.21 PB" / "1,21 PB"; "—" for None."""
    return LocalNumbers().capacity(value, binary=binary)


def localized_percent(value) -> str:
    """A percentage with one decimal in the active language: "85.3 %" / "85,3 %"."""
    return LocalNumbers().percent(value)


def localized_integer(value) -> str:
    """A whole number with the active language's thousands separator: "12,345" / "12 345"."""
    return LocalNumbers().integer(value)


@register.filter
def capacity(value, system: str = "") -> str:
    """Bytes with three significant figures; ``"binary"`` for KiB/MiB/..., otherwise decimal units."""
    if system not in _SYSTEMS:
        raise template.TemplateSyntaxError(f'capacity takes "decimal" or "binary", not "{system}"')
    return localized_capacity(value, binary=_SYSTEMS[system])


@register.filter
def capacity_units(value, binary) -> str:
    """Like ``capacity``, with the unit system chosen by a boolean (a user's preference)."""
    return localized_capacity(value, binary=bool(binary))


@register.filter
def capacity_title(value) -> str:
    """The exact byte count with the language's thousands separators, for ``title=`` attributes; "" for none."""
    return LocalNumbers().byte_count(value)


@register.filter
def percent(value) -> str:
    """A percentage (0-100, or above when over quota) with one decimal: 85.25 -> "85.3 %" / "85,3 %"."""
    return localized_percent(value)


@register.filter
def decimal_number(value) -> str:
    """A number already rounded as it should be shown, with the language's decimal separator."""
    if value is None or value == "":
        return NO_VALUE
    return localize_number_text(str(value))


def _percent_text(value) -> str:
    """A percentage (0-100, or above when over quota) with one decimal, dot-decimal: 85.25 -> "85.3 %"."""
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
