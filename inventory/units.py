"""Capacity units: the only place where byte counts meet "2 PB" or "1.5 TiB".

Everything inside the project is an integer number of bytes. This module turns text typed by people
(or printed by storage tools) into bytes, and bytes back into short text for pages.

Rules, from the domain (docs/domain.md, "Quantities"):

* Decimal units (kB, MB, GB, TB, PB, EB) are powers of 1000; binary units (KiB ... EiB) are powers of
  1024. Unit symbols are case-insensitive ("tb" and "Tb" mean TB), but bare letters such as "T" or "k"
  are refused because tools use them for both TB and TiB.
* All arithmetic uses :class:`decimal.Decimal` with enough precision to be exact; no floats ever touch a
  byte count. A fractional input that does not land on a whole byte ("1.0000000000005 TB") is rounded
  half up to the nearest byte.
* The largest capacity is 2**63 - 1 bytes, the top of PostgreSQL's ``bigint``.

Libraries considered and not used: humanize's ``naturalsize`` (formats only, no three significant
figures, no parsing), Django's ``filesizeformat`` (divides by 1024 but prints "KB"/"MB"), bitmath and
humanfriendly (parse through floats; humanfriendly reads a bare "K" as 1000), pint (floats by default,
and heavy for this job). None is installed, and none gives exact, unambiguous parsing.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, Inexact, localcontext

from django.utils.translation import gettext

__all__ = [
    "BINARY_UNITS",
    "DECIMAL_UNITS",
    "MAX_CAPACITY",
    "NO_VALUE",
    "UNIT_FACTORS",
    "CapacityError",
    "bytes_to_unit",
    "format_capacity",
    "format_capacity_exact",
    "format_capacity_parts",
    "format_bytes_exact",
    "parse_capacity",
]

#: Largest storable capacity: the top of a signed 64-bit BigIntegerField.
MAX_CAPACITY = 2**63 - 1

#: Shown where there is no value (or no limit).
NO_VALUE = "—"

#: Unit symbols from bytes upwards, in the spelling we print.
DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")

#: Bytes per unit, keyed by the printed symbol.
UNIT_FACTORS: dict[str, int] = {
    **{symbol: 1000**power for power, symbol in enumerate(DECIMAL_UNITS)},
    **{symbol: 1024**power for power, symbol in enumerate(BINARY_UNITS)},
}

# Accepted spellings, lower-cased, to bytes per unit.
_INPUT_FACTORS: dict[str, int] = {
    **{symbol.lower(): factor for symbol, factor in UNIT_FACTORS.items()},
    "": 1,  # a plain number is a byte count
    "byte": 1,
    "bytes": 1,
}
_BYTE_SPELLINGS = frozenset({"", "b", "byte", "bytes"})
# Single letters that tools use for both the decimal and the binary unit.
_AMBIGUOUS = frozenset("kmgtpe")

_ACCEPTED_UNITS = ", ".join(DECIMAL_UNITS + BINARY_UNITS[1:])


def _accepted_hint() -> str:
    return gettext('Use a number with one of %(units)s (for example "2 PB" or "1.5 TiB").') % {"units": _ACCEPTED_UNITS}


# Longer input is refused before any arithmetic: nobody types 65 characters for a capacity, and the
# limit bounds the Decimal precision needed to stay exact.
_MAX_INPUT_LENGTH = 64
# Digits (64) + digits of the largest factor 1024**6 (19) fit comfortably; Inexact is trapped anyway.
_EXACT_PRECISION = 200

_GRAMMAR = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?) ?(?P<unit>[a-z]*)", re.ASCII | re.IGNORECASE)
_NUMBER_THEN_REST = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<space>\s*)(?P<rest>.*)", re.ASCII | re.DOTALL)
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)e[+-]?[0-9]+\b.*", re.ASCII | re.IGNORECASE)
_NOT_FINITE = re.compile(r"[+-]?(?:nan|snan|inf|infinity)\b.*", re.ASCII | re.IGNORECASE)


class CapacityError(ValueError):
    """Text that cannot be read as a capacity; the message says why and what is accepted."""

    def __init__(self, value: object, reason: str, *, hint: bool = True) -> None:
        self.value = value
        self.reason = reason
        shown = str(value)
        if len(shown) > 40:
            shown = shown[:40] + "…"
        message = gettext('Cannot read "%(value)s" as a capacity: %(reason)s.') % {"value": shown, "reason": reason}
        if hint:
            message += " " + _accepted_hint()
        super().__init__(message)


def parse_capacity(value: str | int) -> int:
    """Return the number of bytes written in *value*, e.g. ``"2 PB"`` -> ``2_000_000_000_000_000``.

    Accepts a whole byte count (``1234``, ``"1234"``, ``"1234 B"``, ``"1234 bytes"``) or a number with
    a unit, with one space or none between them (``"1.5 TiB"``, ``"750GB"``). Raises
    :class:`CapacityError` for anything else: negative, empty, unknown or ambiguous units, thousands
    separators, exponents, NaN/inf, or more than :data:`MAX_CAPACITY` bytes.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CapacityError(value, gettext("expected text such as “2 PB” or a whole number of bytes"))
    if isinstance(value, int):
        if value < 0:
            raise CapacityError(value, gettext("a capacity cannot be negative"))
        _check_range(value, value)
        return value

    text = value.strip()
    if not text:
        raise CapacityError(value, gettext("it is empty"))
    if len(text) > _MAX_INPUT_LENGTH:
        raise CapacityError(value, gettext("it is longer than %(limit)d characters") % {"limit": _MAX_INPUT_LENGTH})
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        raise CapacityError(value, _diagnose(text))

    unit = match["unit"].lower()
    if unit in _AMBIGUOUS:
        raise CapacityError(
            value,
            gettext('the unit "%(unit)s" is ambiguous (%(upper)sB or %(upper)siB?)')
            % {"unit": match["unit"], "upper": match["unit"].upper()},
        )
    if unit not in _INPUT_FACTORS:
        raise CapacityError(value, gettext('unknown unit "%(unit)s"') % {"unit": match["unit"]})

    with localcontext(prec=_EXACT_PRECISION, traps=[Inexact]):
        amount = Decimal(match["number"]) * _INPUT_FACTORS[unit]
        if unit in _BYTE_SPELLINGS and amount != amount.to_integral_value():
            raise CapacityError(value, gettext("a byte count must be a whole number"))
        # Documented rule: a fraction that does not land on a whole byte rounds half up.
        num_bytes = int(amount.to_integral_value(rounding=ROUND_HALF_UP))
    _check_range(value, num_bytes)
    return num_bytes


def _check_range(value: object, num_bytes: int) -> None:
    if num_bytes > MAX_CAPACITY:
        raise CapacityError(
            value,
            gettext(
                "%(bytes)s bytes is more than the largest capacity that can be stored, %(max)s bytes (about %(about)s)"
            )
            % {"bytes": f"{num_bytes:,}", "max": f"{MAX_CAPACITY:,}", "about": format_capacity(MAX_CAPACITY)},
            hint=False,
        )


def _diagnose(text: str) -> str:
    """Say what is wrong with text that does not fit the grammar (the caller adds the accepted units)."""
    if text[0] in "-−":
        return gettext("a capacity cannot be negative")
    if _NOT_FINITE.fullmatch(text):
        return gettext("it is not a finite number")
    if "," in text:
        return gettext('write the number without thousands separators and with "." for decimals')
    if _EXPONENT.fullmatch(text):
        return gettext('exponents such as "1e3" are not accepted; write the digits out or use a unit')
    parts = _NUMBER_THEN_REST.fullmatch(text)
    if parts is None:
        return gettext("it does not start with a number")
    if parts["space"] and parts["space"] != " " and re.fullmatch(r"[a-z]+", parts["rest"], re.I | re.A):
        return gettext("put at most one space between the number and the unit")
    return gettext('unknown unit "%(unit)s"') % {"unit": parts["rest"]}


def bytes_to_unit(num_bytes: int, unit: str) -> Decimal:
    """Return *num_bytes* expressed in *unit* (a symbol of :data:`UNIT_FACTORS`), exactly."""
    with localcontext(prec=_EXACT_PRECISION, traps=[Inexact]):
        return Decimal(num_bytes) / UNIT_FACTORS[unit]


def _display_unit_index(magnitude: int, *, binary: bool) -> int:
    """Index into the unit tuple for a non-negative byte count, after three-figure rounding.

    Whole bytes stay bytes below 1000; otherwise a unit is too small while the number shown in it would
    round (three figures, half up) to 1000 or more, i.e. while magnitude ÷ unit ≥ 999.5. Rounding can carry
    into the next unit (999.6 GB -> "1.00 TB"), and binary units reach 1023 ("0.999 KiB"): both move up.
    Integer arithmetic: every figure on a page goes through here.
    """
    base = 1024 if binary else 1000
    last = len(BINARY_UNITS if binary else DECIMAL_UNITS) - 1
    index = 0
    while index < last and (magnitude >= 1000 if index == 0 else 2 * magnitude >= 1999 * base**index):
        index += 1
    return index


def _three_figures(magnitude: int, factor: int) -> str:
    """magnitude ÷ factor rounded half up to three significant figures, trailing zeros kept ("1.50", "0.977").

    Exact, in integers: scale by the power of ten that gives three digits before the point, round, and take
    one decimal fewer if rounding carried into a fourth digit (9.996 -> "10.0").
    """
    whole = magnitude // factor
    if whole >= 1000:  # beyond the largest unit: round the whole number to three figures ("8670")
        step = 10 ** (len(str(whole)) - 3)
        return str((2 * magnitude + factor * step) // (2 * factor * step) * step)
    scale = 0
    while magnitude * 10**scale < 100 * factor:
        scale += 1
    shown = (2 * magnitude * 10**scale + factor) // (2 * factor)
    if shown >= 1000 and scale > 0:
        scale -= 1
        shown = (2 * magnitude * 10**scale + factor) // (2 * factor)
    digits = str(shown).rjust(scale + 1, "0")
    return f"{digits[:-scale]}.{digits[-scale:]}" if scale else digits


def format_capacity_parts(num_bytes: int | None, *, binary: bool = False) -> tuple[str, str]:
    """Return ``(number, symbol)`` for *num_bytes* with three significant figures, e.g. ``("1.50", "TB")``.

    Byte counts below one unit are shown whole (``("512", "B")``). ``None`` gives ``("—", "")``.
    Negative values (deltas) keep an ASCII minus sign.
    """
    if num_bytes is None:
        return NO_VALUE, ""
    num_bytes = _as_whole_bytes(num_bytes)
    sign = "-" if num_bytes < 0 else ""
    magnitude = abs(num_bytes)
    units = BINARY_UNITS if binary else DECIMAL_UNITS
    index = _display_unit_index(magnitude, binary=binary)
    if index == 0:
        return f"{sign}{magnitude}", "B"
    return f"{sign}{_three_figures(magnitude, (1024 if binary else 1000) ** index)}", units[index]


def format_capacity(num_bytes: int | None, *, binary: bool = False) -> str:
    """Format *num_bytes* with three significant figures: ``2 * 10**15`` -> ``"2.00 PB"``.

    Decimal units by default, binary (``"1.78 PiB"``) when *binary* is true. ``None`` -> ``"—"``.
    """
    number, symbol = format_capacity_parts(num_bytes, binary=binary)
    return f"{number} {symbol}" if symbol else number


def format_capacity_exact(num_bytes: int | None, *, binary: bool = False) -> str:
    """Shortest text in the display unit that :func:`parse_capacity` reads back as exactly *num_bytes*.

    ``2 * 10**15`` -> ``"2.00 PB"``, but ``1_234_567_891_011`` -> ``"1.234567891011 TB"``: forms show
    this so that saving an unchanged form never changes the stored value. ``None`` -> ``""``.
    """
    if num_bytes is None:
        return ""
    num_bytes = _as_whole_bytes(num_bytes)
    short = format_capacity(num_bytes, binary=binary)
    if num_bytes < 0 or _reads_back(short, num_bytes):
        return short
    # Use the largest unit not above the value (no rounding carry): 999_999_999_999 reads better as
    # "999.999999999 GB" than as "0.999999999999 TB".
    base = 1024 if binary else 1000
    units = BINARY_UNITS if binary else DECIMAL_UNITS
    index = 0
    while index + 1 < len(units) and num_bytes >= base ** (index + 1):
        index += 1
    if index == 0:
        return f"{num_bytes} B"
    amount = bytes_to_unit(num_bytes, units[index])
    # One byte is at least 1024**-6 > 10**-19 of the unit, so 19 places or fewer always read back.
    for places in range(0, 20):
        with localcontext(prec=_EXACT_PRECISION):
            text = f"{amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f} {units[index]}"
        if _reads_back(text, num_bytes):
            return text
    return str(num_bytes)


def format_bytes_exact(num_bytes: int | None) -> str:
    """The exact byte count with thousands separators: ``"2,000,000,000,000,000 bytes"``; ``None`` -> ``""``."""
    if num_bytes is None:
        return ""
    num_bytes = _as_whole_bytes(num_bytes)
    return f"{num_bytes:,} byte" if abs(num_bytes) == 1 else f"{num_bytes:,} bytes"


def _reads_back(text: str, num_bytes: int) -> bool:
    try:
        return parse_capacity(text) == num_bytes
    except CapacityError:
        return False


def _as_whole_bytes(num_bytes: object) -> int:
    """Accept ints and whole Decimals (PostgreSQL's SUM of bigint is numeric); refuse floats."""
    if isinstance(num_bytes, bool):
        raise TypeError("a capacity is a whole number of bytes, not a boolean")
    if isinstance(num_bytes, int):
        return num_bytes
    if isinstance(num_bytes, Decimal) and num_bytes.is_finite() and num_bytes == num_bytes.to_integral_value():
        return int(num_bytes)
    raise TypeError(f"a capacity is a whole number of bytes, not {num_bytes!r}")
