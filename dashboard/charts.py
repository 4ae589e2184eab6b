"""Server-rendered SVG line charts: the geometry is worked out here, the template only draws it.

Give :func:`line_chart` a handful of aggregated points (daily totals, not raw samples)
and it returns everything ``dashboard/includes/chart.html`` needs: pixel positions,
"nice" axis ticks in capacity units (0, 0.5, 1.0, 1.5 TB ...), an optional quota line and
the same numbers as table rows for screen readers. Byte counts stay integers; only
pixel coordinates are floats.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from inventory.units import UNIT_FACTORS, format_capacity, format_capacity_parts

#: Roughly how many intervals the value axis is split into.
TARGET_TICKS = 5
#: At most this many date labels on the time axis.
MAX_DATE_LABELS = 6
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class ChartPoint:
    day: datetime.date
    value: int
    x: float
    y: float
    label: str  # "12 Nov 2026: 1.23 TB", shown on hover via <title>
    value_text: str
    # Pre-formatted for the template, which draws ~90 points twice per chart: plain lookups
    # instead of a filter per coordinate and date (most of the chart's rendering time).
    cx: str = ""
    cy: str = ""
    day_text: str = ""  # "2026-11-12"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    """Geometry of one line chart, in SVG user units (viewBox ``0 0 width height``)."""

    chart_id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    unit: str
    value_label: str
    points: list[ChartPoint] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    quota_y: float | None = None
    quota_text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.points

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def tick_label_x(self) -> float:
        return self.left - 6

    @property
    def date_label_y(self) -> float:
        return self.bottom + 16

    @property
    def axis_title_y(self) -> float:
        return self.height - 4

    @property
    def y_axis_label(self) -> str:
        return f"{self.value_label} ({self.unit})"


def nice_step(raw: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10^k not below *raw* (a positive number)."""
    exponent = raw.adjusted()
    magnitude = Decimal(1).scaleb(exponent)
    for step in _NICE_STEPS:
        if step * magnitude >= raw:
            return (step * magnitude).normalize()
    return Decimal(10) * magnitude  # pragma: no cover - the loop always returns


def _plain(number: Decimal) -> str:
    """'1.5', '10', '0' from a Decimal without exponent notation."""
    return f"{number.normalize():f}"


def value_ticks(maximum: int, *, binary: bool = False) -> tuple[str, list[int], list[str]]:
    """Unit symbol, tick values in bytes (from 0 to at least *maximum*) and their labels."""
    maximum = max(int(maximum), 1)
    _, unit = format_capacity_parts(maximum, binary=binary)
    factor = UNIT_FACTORS[unit]
    in_unit = Decimal(maximum) / factor
    step = nice_step(in_unit / TARGET_TICKS)
    if unit == "B":
        step = max(step, Decimal(1))
    values, labels = [], []
    k = 0
    while True:
        amount = step * k
        values.append(int(amount * factor))
        labels.append(f"{_plain(amount)} {unit}")
        if amount >= in_unit:
            break
        k += 1
    return unit, values, labels


def line_chart(
    series: Sequence[tuple[datetime.date, int]],
    *,
    title: str,
    chart_id: str = "usage-chart",
    value_label: str = "Used",
    quota: int | None = None,
    binary: bool = False,
    width: int = 720,
    height: int = 280,
) -> LineChart:
    """Lay out *series* (date, bytes), sorted by date, as a line chart with an optional quota line."""
    # Room on the left for tick labels, above for the axis title, below for dates.
    left, top, right, bottom = 72.0, 28.0, width - 16.0, height - 40.0
    series = sorted(series)
    values = [int(v) for _, v in series]
    top_value = max(values + ([int(quota)] if quota else []) + [0])
    unit, tick_values, tick_labels = value_ticks(top_value, binary=binary)
    scale_max = tick_values[-1] or 1

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * (value / scale_max)

    first = series[0][0] if series else None
    span = (series[-1][0] - first).days if series else 0

    def x_of(day: datetime.date) -> float:
        if span == 0:
            return (left + right) / 2
        return left + (right - left) * ((day - first).days / span)

    points = []
    for day, value in zip((d for d, _ in series), values, strict=True):
        x, y, text = x_of(day), y_of(value), format_capacity(value, binary=binary)
        points.append(
            ChartPoint(
                day=day,
                value=value,
                x=x,
                y=y,
                label=f"{day:%d %b %Y}: {text}",
                value_text=text,
                cx=f"{x:.1f}",
                cy=f"{y:.1f}",
                day_text=day.isoformat(),
            )
        )
    y_ticks = [Tick(y_of(v), label) for v, label in zip(tick_values, tick_labels, strict=True)]
    x_ticks = []
    if points:
        stride = max(1, -(-len(points) // MAX_DATE_LABELS))
        chosen = points[::stride]
        if chosen[-1] is not points[-1]:
            chosen = chosen[:-1] + [points[-1]] if len(chosen) >= MAX_DATE_LABELS else chosen + [points[-1]]
        x_ticks = [Tick(p.x, f"{p.day:%d %b}") for p in chosen]

    quota_y = y_of(int(quota)) if quota else None
    quota_text = format_capacity(int(quota), binary=binary) if quota else ""
    if points:
        description = (
            f"{value_label} per day from {points[0].day:%d %b %Y} to {points[-1].day:%d %b %Y}: "
            f"from {points[0].value_text} to {points[-1].value_text}, highest "
            f"{format_capacity(max(values), binary=binary)}."
        )
        if quota:
            description += f" Quota {quota_text}."
    else:
        description = "No usage samples in this period."
    return LineChart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        unit=unit,
        value_label=value_label,
        points=points,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        quota_y=quota_y,
        quota_text=quota_text,
    )
