"""Server-rendered SVG bar charts of TB-months per month (showback): geometry here, drawing in the template.

Each month gets two bars side by side, allocated and used; the value axis has "nice" ticks (0, 2.5, 5 ...
TB-months, see dashboard.charts.nice_step). ``dashboard/includes/bar_chart.html`` draws it, with the same
numbers as a table for screen readers. No JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dashboard.charts import TARGET_TICKS, Tick, nice_step
from inventory.templatetags.capacity import localize_number_text


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    css_class: str
    label: str  # "2026-10, allocated: 12.345 TB-months", shown on hover via <title>


@dataclass(frozen=True)
class MonthGroup:
    label: str  # "2026-10"
    x: str  # centre of the group, for its label
    allocated_text: str
    used_text: str


@dataclass(frozen=True)
class BarChart:
    """Geometry of one bar chart, in SVG user units (viewBox ``0 0 width height``)."""

    chart_id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    bars: list[Bar] = field(default_factory=list)
    groups: list[MonthGroup] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    unit: str = "TB-months"

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def tick_label_x(self) -> float:
        return self.left - 6

    @property
    def month_label_y(self) -> float:
        return self.bottom + 16


def tb_months_text(value: Fraction) -> str:
    """TB-months for people: three decimals (a thousandth of a TB-month is a GB-month), in the active
    language's number format ("1,234.500" / "1 234,500"). Downloads use exact decimals instead."""
    rounded = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.001"))
    return number_format(rounded, decimal_pos=3, force_grouping=True)


def _ticks(maximum: Fraction) -> list[Decimal]:
    top = Decimal(maximum.numerator) / Decimal(maximum.denominator) if maximum > 0 else Decimal(1)
    step = nice_step(top / TARGET_TICKS)
    ticks = [Decimal(0)]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def month_bar_chart(
    months: Sequence[tuple[str, Fraction, Fraction]],
    *,
    title: str,
    chart_id: str = "showback-chart",
    width: int = 720,
    height: int = 280,
) -> BarChart:
    """Lay out *months* (label, allocated TB-months, used TB-months) as pairs of bars."""
    left, top, right, bottom = 72.0, 28.0, width - 16.0, height - 40.0
    ticks = _ticks(max([max(a, u) for _, a, u in months] + [Fraction(0)]))
    scale = Fraction(ticks[-1]) or Fraction(1)

    def y_of(value: Fraction) -> float:
        return bottom - (bottom - top) * float(value / scale)

    slot = (right - left) / max(len(months), 1)
    bar_width = min(slot * 0.35, 48.0)
    bars, groups = [], []
    for n, (label, allocated, used) in enumerate(months):
        centre = left + slot * (n + 0.5)
        texts = (tb_months_text(allocated), tb_months_text(used))
        for offset, value, css, name, text in (
            (-bar_width, allocated, "bar-allocated", _("allocated"), texts[0]),
            (0.0, used, "bar-used", _("used"), texts[1]),
        ):
            y = y_of(value)
            bars.append(
                Bar(
                    x=f"{centre + offset:.1f}",
                    y=f"{y:.1f}",
                    width=f"{bar_width:.1f}",
                    height=f"{bottom - y:.1f}",
                    css_class=css,
                    label=_("%(month)s, %(series)s: %(value)s TB-months")
                    % {"month": label, "series": name, "value": text},
                )
            )
        groups.append(MonthGroup(label, f"{centre:.1f}", *texts))
    description = (
        _("TB-months allocated and used per month, %(first)s to %(last)s.")
        % {"first": months[0][0], "last": months[-1][0]}
        if months
        else _("No months in this report.")
    )
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        bars=bars,
        groups=groups,
        y_ticks=[Tick(y_of(Fraction(t)), localize_number_text(f"{t.normalize():f}")) for t in ticks],
    )
