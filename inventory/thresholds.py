"""Threshold states of an allocation's usage against its quota, in Python and as SQL.

A state is one of: ``ok``, ``warning`` (at or above the pool's warning threshold,
default 80 %), ``critical`` (at or above its critical threshold, default 90 %),
``over`` (above 100 % of the quota: over quota), or ``none`` (no usage reported).
The SQL version lets lists filter and sort by state without reading rows in Python;
both versions compare whole numbers (used × 100 against quota × threshold), so they
always agree.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from django.db.models import Case, CharField, DecimalField, F, Q, Value, When
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

OK = "ok"
WARNING = "warning"
CRITICAL = "critical"
OVER = "over"
NO_USAGE = "none"

#: (value, label) pairs for filters, in order of severity.
STATE_CHOICES = [
    (OK, _("OK")),
    (WARNING, _("Warning")),
    (CRITICAL, _("Critical")),
    (OVER, _("Over quota")),
    (NO_USAGE, _("No usage reported")),
]

DEFAULT_WARNING = 80
DEFAULT_CRITICAL = 90

# numeric, so that used × 100 never overflows bigint (2**63 / 100 bytes is only about 92 PB).
_NUMERIC = DecimalField(max_digits=40, decimal_places=0)


def threshold_state(
    used: int | None, quota: int | None, warning: int = DEFAULT_WARNING, critical: int = DEFAULT_CRITICAL
) -> str:
    """The state of *used* bytes against *quota* bytes with the pool's thresholds (in %)."""
    if used is None or quota is None:
        return NO_USAGE
    if used > quota:
        return OVER
    if quota == 0:
        return OK  # nothing promised and nothing used
    if used * 100 >= quota * critical:
        return CRITICAL
    if used * 100 >= quota * warning:
        return WARNING
    return OK


def threshold_bytes(limit: int, percent: int) -> int:
    """The least usage (whole bytes) in the state of a *percent* threshold of *limit*: ⌈limit × percent ÷ 100⌉.

    The same rule as :func:`threshold_state` (used × 100 ≥ limit × percent), so a chart's threshold line
    sits exactly where the state changes.
    """
    return -(-int(limit) * int(percent) // 100)


_SEVERITY = {OK: 0, WARNING: 1, CRITICAL: 2, OVER: 3}
_TENTH = Decimal("0.1")


def percent_state(percent: Decimal, warning: int = DEFAULT_WARNING, critical: int = DEFAULT_CRITICAL) -> str:
    """The state of a percentage: at or above a threshold is in its state; above 100 is over quota."""
    if percent > 100:
        return OVER
    if percent >= critical:
        return CRITICAL
    return WARNING if percent >= warning else OK


def shown_percent(percent, state: str, warning: int = DEFAULT_WARNING, critical: int = DEFAULT_CRITICAL) -> Decimal:
    """*percent* to one decimal as pages show it next to *state*: never rounded into another state.

    Half up as a rule, but 89.96 % of a warning-state allocation (critical at 90 %) reads 89.9 %, not a
    "90.0 %" that is not critical; 100.04 % over quota reads 100.1 %. A value exactly at a threshold is in
    that threshold's state, so 90.0 % is always critical with a 90 % critical threshold.
    """
    exact = Decimal(str(percent))
    rounded = exact.quantize(_TENTH, ROUND_HALF_UP)
    if state not in _SEVERITY:
        return rounded
    shown_state = percent_state(rounded, warning, critical)
    if _SEVERITY[shown_state] > _SEVERITY[state]:
        return exact.quantize(_TENTH, ROUND_DOWN)
    if _SEVERITY[shown_state] < _SEVERITY[state]:
        return exact.quantize(_TENTH, ROUND_UP)
    return rounded


def used_percent(used: int | None, quota: int | None) -> Decimal | None:
    """used ÷ quota × 100 exactly (``None`` without usage or with a zero quota)."""
    if used is None or not quota:
        return None
    return Decimal(used) * 100 / Decimal(quota)


def used_percent_expression(used: str = "used_bytes", quota: str = "quota_bytes"):
    """SQL for used ÷ quota × 100 as numeric; NULL without usage or with a zero quota."""
    return (
        Cast(F(used), _NUMERIC)
        * Value(100, output_field=_NUMERIC)
        / NullIf(Cast(F(quota), _NUMERIC), Value(0, output_field=_NUMERIC))
    )


def threshold_state_expression(
    used: str = "used_bytes",
    quota: str = "quota_bytes",
    warning: str = "pool__warning_threshold",
    critical: str = "pool__critical_threshold",
):
    """SQL CASE giving the same state as :func:`threshold_state`, with each row's pool thresholds."""
    used_x100 = Cast(F(used), _NUMERIC) * Value(100, output_field=_NUMERIC)
    quota_n = Cast(F(quota), _NUMERIC)
    return Case(
        When(Q(**{f"{used}__isnull": True}) | Q(**{f"{quota}__isnull": True}), then=Value(NO_USAGE)),
        When(Q(**{f"{used}__gt": F(quota)}), then=Value(OVER)),
        When(Q(**{quota: 0}), then=Value(OK)),
        When(GreaterThanOrEqual(used_x100, quota_n * Cast(F(critical), _NUMERIC)), then=Value(CRITICAL)),
        When(GreaterThanOrEqual(used_x100, quota_n * Cast(F(warning), _NUMERIC)), then=Value(WARNING)),
        default=Value(OK),
        output_field=CharField(),
    )
