"""Filters for forecasts and ratios on the overview and storage pages.

{% load forecast %}
{{ forecast.days_until_full|days_until_full }}   -> "in 41 days", "full now", "not filling"
{{ forecast|full_on }}                           -> the date the line reaches the limit
{{ row.reduction_ratio|ratio }}                  -> "1.50 : 1"
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from inventory.templatetags.capacity import LocalNumbers
from inventory.units import NO_VALUE

register = template.Library()

NOT_FILLING = gettext_lazy("not filling")


@register.filter
def days_until_full(days) -> str:
    """Whole days (rounded down: the pool may fill during the last one); "not filling" without a forecast."""
    return days_until_full_text(days)


def days_until_full_text(days, numbers: LocalNumbers | None = None) -> str:
    """days_until_full, with the language's number format of a table that writes many (*numbers*)."""
    if days is None or days == "":
        return str(NOT_FILLING)
    days = float(days)
    if not math.isfinite(days) or days < 0:
        return str(NOT_FILLING)
    if days == 0:
        return _("full now")
    if days < 1:
        return _("within a day")
    whole = int(days)
    # Grouped as the language groups thousands ("in 1,234 days", "om 1 234 dager").
    count = (numbers or LocalNumbers()).integer(whole)
    return ngettext("in %(days)s day", "in %(days)s days", whole) % {"days": count}


@register.filter
def full_on(days) -> dt.date | None:
    """The UTC date the fitted line reaches the limit, or None without a forecast (or beyond year 9999)."""
    if days is None or days == "":
        return None
    try:
        return timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=int(float(days)))
    except (OverflowError, ValueError):
        return None


@register.filter
def ratio(value) -> str:
    """A ratio with two decimals as "1.50 : 1"; "—" when there is none."""
    if value is None or value == "":
        return NO_VALUE
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return NO_VALUE
    return f"{number_format(amount, decimal_pos=2)} : 1"
