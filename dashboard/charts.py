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
from html import escape
from typing import NamedTuple

from django.utils.dateformat import format as format_date
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from inventory.templatetags.capacity import LocalNumbers, localize_number_text
from inventory.units import NO_VALUE, UNIT_FACTORS, format_capacity_parts

#: Roughly how many intervals the value axis is split into.
TARGET_TICKS = 5
#: At most this many date labels on the time axis.
MAX_DATE_LABELS = 6
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


class ChartPoint(NamedTuple):
    """One day's point (a named tuple: a chart makes ~90, and a frozen dataclass cost a call per field)."""

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
class Reference:
    """A horizontal line at a value, labelled in the chart: capacity, a threshold, a quota."""

    kind: str  # css class: "capacity", "warning", "critical", "quota"
    label: str  # "Critical 90 %"
    value: int


@dataclass(frozen=True)
class Projection:
    """A forecast: a straight line from (*start_day*, *start_value*) to (*end_day*, *end_value*)."""

    start_day: datetime.date
    start_value: int
    end_day: datetime.date
    end_value: int
    label: str  # "Full about 3 Mar 2027"


@dataclass(frozen=True)
class DrawnReference:
    kind: str
    label: str
    value_text: str
    y: float
    text: str  # what the chart writes next to the line: "Quota: 12.0 TB"

    @property
    def label_y(self) -> float:
        return self.y - 4  # just above its line


@dataclass(frozen=True)
class DrawnProjection:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    end_day: datetime.date

    @property
    def label_y(self) -> float:
        return max(self.y2 - 8, 10.0)


@dataclass(frozen=True)
class Band:
    """One stacked area of a split chart (a project's or pool's share), drawn as a closed path."""

    label: str
    css: str  # "band-0" .. "band-6"
    path: str
    latest_text: str


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
    axis_max: int = 0
    references: list[DrawnReference] = field(default_factory=list)
    projection: DrawnProjection | None = None
    bands: list[Band] = field(default_factory=list)
    # The data table: a header per column after the date, and (date, cells) rows.
    table_columns: list[str] = field(default_factory=list)
    table_rows: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.points

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def point_marks(self) -> str:
        """Every point's circle with its hover label, as markup: one string for the template instead of a
        loop of three lookups per point (about 90 points a chart, on every page with a chart). Escaped as
        the template would (html.escape is what django.utils.html.escape does)."""
        return mark_safe(  # noqa: S308 - the only text, the label, is escaped
            "".join(
                f'<circle class="point" cx="{p.cx}" cy="{p.cy}" r="3"><title>{escape(p.label)}</title></circle>'
                for p in self.points
            )
        )

    @property
    def table_body(self) -> str:
        """The data table's rows as markup, every cell escaped, for the same reason as point_marks."""
        return mark_safe(  # noqa: S308 - every cell is escaped
            "".join(
                f"<tr><td>{escape(day)}</td>"
                + "".join(f'<td class="num">{escape(cell)}</td>' for cell in cells)
                + "</tr>"
                for day, cells in self.table_rows
            )
        )

    @property
    def y_tick_marks(self) -> str:
        """The value axis' grid lines and labels as markup, for the same reason as point_marks (the template
        looped over them with a number filter per coordinate)."""
        left, right, label_x = f"{self.left:.1f}", f"{self.right:.1f}", f"{self.tick_label_x:.1f}"
        return mark_safe(  # noqa: S308 - the only text, the labels, is escaped
            "".join(
                f'<line class="grid-line" x1="{left}" x2="{right}" y1="{tick.position:.1f}" y2="{tick.position:.1f}"/>'
                f'<text x="{label_x}" y="{tick.position:.1f}" text-anchor="end" dominant-baseline="middle">'
                f"{escape(tick.label)}</text>"
                for tick in self.y_ticks
            )
        )

    @property
    def x_tick_marks(self) -> str:
        """The dates under the time axis as markup (as y_tick_marks)."""
        date_y = f"{self.date_label_y:.1f}"
        return mark_safe(  # noqa: S308 - the only text, the labels, is escaped
            "".join(
                f'<text x="{tick.position:.1f}" y="{date_y}" text-anchor="middle">{escape(tick.label)}</text>'
                for tick in self.x_ticks
            )
        )

    @property
    def axis_lines(self) -> str:
        """The two axis lines as markup (drawn over the bands of a split chart)."""
        left, right, top, bottom = (f"{value:.1f}" for value in (self.left, self.right, self.top, self.bottom))
        return mark_safe(
            f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>'
            f'<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>'
        )

    @property
    def reference_marks(self) -> str:
        """Each reference line (capacity, thresholds, quota) with its label, as markup (as y_tick_marks)."""
        left, right, label_x = f"{self.left:.1f}", f"{self.right:.1f}", f"{self.reference_label_x:.1f}"
        return mark_safe(  # noqa: S308 - the only text, the references' own, is escaped
            "".join(
                f'<g class="reference ref-{escape(ref.kind)}"><line class="{escape(ref.kind)}" x1="{left}" x2="{right}"'
                f' y1="{ref.y:.1f}" y2="{ref.y:.1f}"><title>{escape(ref.text)}</title></line>'
                f'<text class="ref-label" x="{label_x}" y="{ref.label_y:.1f}" text-anchor="start">{escape(ref.text)}'
                "</text></g>"
                for ref in self.references
            )
        )

    @property
    def tick_label_x(self) -> float:
        return self.left - 6

    @property
    def reference_label_x(self) -> float:
        # At the left: the forecast's label sits at the right end, where the line reaches capacity.
        return self.left + 6

    @property
    def date_label_y(self) -> float:
        return self.bottom + 16

    @property
    def axis_title_y(self) -> float:
        return self.height - 4

    @property
    def y_axis_label(self) -> str:
        return _("%(label)s (%(unit)s)") % {"label": self.value_label, "unit": self.unit}


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
    _number, unit = format_capacity_parts(maximum, binary=binary)
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
        labels.append(f"{localize_number_text(_plain(amount))} {unit}")
        if amount >= in_unit:
            break
        k += 1
    return unit, values, labels


def line_chart(
    series: Sequence[tuple[datetime.date, int]],
    *,
    title: str,
    chart_id: str = "usage-chart",
    value_label: str | None = None,
    quota: int | None = None,
    references: Sequence[Reference] = (),
    projection: Projection | None = None,
    split: Sequence[tuple[str, Sequence[tuple[datetime.date, int]]]] = (),
    binary: bool = False,
    width: int = 720,
    height: int = 280,
) -> LineChart:
    """Lay out *series* (date, bytes) as a line chart.

    *references* (and *quota*, a reference labelled "Quota") are horizontal lines with a visible label; the
    value axis always reaches the highest of them, so a pool's chart shows its capacity. *projection* is a
    forecast line from the last point to the day it reaches its end value: the time axis runs to that day.
    *split* stacks the parts of the total (per project or pool) as areas under the total's line.
    """
    if value_label is None:
        value_label = _("Used")
    series = sorted(series)
    values = [int(v) for _day, v in series]
    refs = [*references, *([Reference("quota", _("Quota"), int(quota))] if quota else [])]
    candidates = values + [r.value for r in refs] + [0]
    if projection:
        candidates += [projection.start_value, projection.end_value]
    unit, tick_values, tick_labels = value_ticks(max(candidates), binary=binary)
    text = _ChartText(binary)
    frame = _Frame.fit(series, projection, scale_max=tick_values[-1] or 1, width=width, height=height)
    x_of, y_of = frame.x_of, frame.y_of
    left, top, right, bottom = frame.left, frame.top, frame.right, frame.bottom
    points = [_point(day, int(value), x_of(day), y_of(int(value)), text) for day, value in series]
    drawn_refs = [_reference(r, y_of(r.value), text) for r in sorted(refs, key=lambda r: r.value)]
    drawn_projection = None
    if projection and points:
        drawn_projection = DrawnProjection(
            x_of(projection.start_day),
            y_of(projection.start_value),
            x_of(projection.end_day),
            y_of(projection.end_value),
            projection.label,
            projection.end_day,
        )
    bands, columns, rows = _split_layout(series, split, x_of, y_of, text)
    quota_ref = next((r for r in drawn_refs if r.kind == "quota"), None)
    return LineChart(
        chart_id=chart_id,
        title=title,
        description=_describe(points, values, drawn_refs, projection, bands, value_label, text),
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        unit=unit,
        value_label=value_label,
        points=points,
        y_ticks=[Tick(y_of(v), label) for v, label in zip(tick_values, tick_labels, strict=True)],
        x_ticks=_date_ticks(frame.first, frame.span, x_of) if points else [],
        quota_y=quota_ref.y if quota_ref else None,
        quota_text=quota_ref.value_text if quota_ref else "",
        axis_max=frame.scale_max,
        references=drawn_refs,
        projection=drawn_projection,
        bands=bands,
        table_columns=[value_label, *columns],
        table_rows=rows or [(p.day_text, [p.value_text]) for p in points],
    )


@dataclass(frozen=True)
class _Frame:
    """The plot area and the scales from dates and bytes to SVG units."""

    left: float
    top: float
    right: float
    bottom: float
    first: datetime.date | None
    span: int  # days from the first date to the last (the forecast's end, if later)
    scale_max: int

    @classmethod
    def fit(cls, series, projection: Projection | None, *, scale_max: int, width: int, height: int) -> _Frame:
        first = series[0][0] if series else None
        last = series[-1][0] if series else None
        if projection and last and projection.end_day > last:
            last = projection.end_day
        # Room on the left for tick labels, above for the axis title, below for dates.
        return cls(72.0, 38.0, width - 16.0, height - 40.0, first, (last - first).days if series else 0, scale_max)

    def y_of(self, value: int) -> float:
        return self.bottom - (self.bottom - self.top) * (value / self.scale_max)

    def x_of(self, day: datetime.date) -> float:
        if self.span == 0:
            return (self.left + self.right) / 2
        return self.left + (self.right - self.left) * ((day - self.first).days / self.span)


class _ChartText:
    """How a chart writes its figures and days in the active language: the formats looked up once a chart."""

    def __init__(self, binary: bool) -> None:
        self.binary = binary
        self.numbers = LocalNumbers()
        self.day = day_format()

    def capacity(self, value: int) -> str:
        return self.numbers.capacity(value, binary=self.binary)


def _reference(reference: Reference, y: float, text: _ChartText) -> DrawnReference:
    value_text = text.capacity(reference.value)
    return DrawnReference(
        reference.kind,
        reference.label,
        value_text,
        y,
        _("%(label)s: %(value)s") % {"label": reference.label, "value": value_text},
    )


class DayFormat:
    """One date format of Django's date filter ("j M Y") for many days: a chart writes ~90.

    Django translates the month's name on every call; here each month is written once (its name, number and
    year), leaving a template of the day alone for each of its days. Formats with fields other than day,
    month (number or name) and year are left to Django.
    """

    #: str.format fields giving what Django's date format characters give.
    _FIELDS = {
        "d": "{day:02d}",
        "j": "{day}",
        "m": "{month:02d}",
        "n": "{month}",
        "y": "{year2:02d}",
        "Y": "{year:04d}",
    }
    #: The fields filled in per day; the others are filled in once per month.
    _DAY_FIELDS = frozenset("dj")
    #: Format characters that write the month's name: written once per month by Django.
    _MONTH_NAMES = frozenset("bEFMN")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._template, self._names_used = self._compile(pattern)
        self._months: dict[tuple[int, int], str] = {}

    @classmethod
    def _compile(cls, pattern: str) -> tuple[str | None, tuple[str, ...]]:
        """A template formatted twice: once per month (the day's fields and the text come out of it as the
        day's template: their braces are doubled once more), then per day."""
        parts, names = [], []
        for index, piece in enumerate(re_formatchars.split(pattern)):
            if index % 2 == 0:  # text between format characters, backslash escapes removed as Django does
                parts.append(re_escaped.sub(r"\1", piece).replace("{", "{{{{").replace("}", "}}}}"))
            elif piece in cls._DAY_FIELDS:
                parts.append(cls._FIELDS[piece].replace("{", "{{").replace("}", "}}"))
            elif piece in cls._FIELDS:
                parts.append(cls._FIELDS[piece])
            elif piece in cls._MONTH_NAMES:
                parts.append(f"{{name_{piece}}}")
                names.append(piece)
            else:
                return None, ()
        return "".join(parts), tuple(names)

    def _month(self, year: int, month: int) -> str:
        """The template of the days of *month* in *year* (its name, number and year written)."""
        first = datetime.date(2000, month, 1)
        names = {
            f"name_{char}": format_date(first, char).replace("{", "{{").replace("}", "}}") for char in self._names_used
        }
        template = self._months[year, month] = self._template.format(month=month, year=year, year2=year % 100, **names)
        return template

    def __call__(self, day: datetime.date) -> str:
        if self._template is None:
            return format_date(day, self.pattern)
        template = self._months.get((day.year, day.month))
        if template is None:
            template = self._month(day.year, day.month)
        return template.format(day=day.day)


def day_format() -> DayFormat:
    """How a day is written in the active language: "1 Dec 2026" / "1. des 2026" (day_text, for many days)."""
    # Translators: a date format of Django's date filter (j: day, M: month's abbreviation, b: in lower case, Y: year).
    return DayFormat(_("j M Y"))


def day_text(day: datetime.date) -> str:
    """A day as people read it in the active language: "1 Dec 2026" / "1. des 2026"."""
    return day_format()(day)


def _point(day: datetime.date, value: int, x: float, y: float, text: _ChartText) -> ChartPoint:
    value_text = text.capacity(value)
    return ChartPoint(
        day=day,
        value=value,
        x=x,
        y=y,
        label=f"{text.day(day)}: {value_text}",
        value_text=value_text,
        cx=f"{x:.1f}",
        cy=f"{y:.1f}",
        day_text=day.isoformat(),
    )


def _date_ticks(first: datetime.date, span: int, x_of) -> list[Tick]:
    """Up to MAX_DATE_LABELS dates spread evenly over the time axis (with the year on long spans)."""
    count = min(MAX_DATE_LABELS, span + 1)
    days = sorted({round(span * i / max(count - 1, 1)) for i in range(count)})
    # Translators: date formats of Django's date filter for a chart's time axis: month and year; day and month.
    pattern = _("M Y") if span > 300 else _("j M")
    day_label = DayFormat(pattern)
    return [Tick(x_of(first + datetime.timedelta(days=d)), day_label(first + datetime.timedelta(days=d))) for d in days]


#: At most this many parts in a split chart; the smaller ones are added up as "Other".
MAX_BANDS = 6


def _split_layout(
    series, split, x_of, y_of, text: _ChartText
) -> tuple[list[Band], list[str], list[tuple[str, list[str]]]]:
    """Stacked areas of the parts in *split* (largest latest value at the bottom) and the table's rows."""
    if not split or not series:
        return [], [], []
    parts = [(label, dict(values)) for label, values in split]
    last_day = series[-1][0]
    parts.sort(key=lambda part: (-part[1].get(last_day, 0), part[0]))
    if len(parts) > MAX_BANDS:
        rest: dict[datetime.date, int] = {}
        for _label, values in parts[MAX_BANDS - 1 :]:
            for day, value in values.items():
                rest[day] = rest.get(day, 0) + value
        parts = [*parts[: MAX_BANDS - 1], (_("Other (%(count)d)") % {"count": len(parts) - MAX_BANDS + 1}, rest)]
    days = [day for day, _value in series]
    below = dict.fromkeys(days, 0)
    bands = []
    for index, (label, values) in enumerate(parts):
        above = {day: below[day] + int(values.get(day, 0)) for day in days}
        upper = " L ".join(f"{x_of(day):.1f},{y_of(above[day]):.1f}" for day in days)
        lower = " L ".join(f"{x_of(day):.1f},{y_of(below[day]):.1f}" for day in reversed(days))
        latest = text.capacity(int(values.get(last_day, 0)))
        bands.append(Band(label, f"band-{index}", f"M {upper} L {lower} Z", latest))
        below = above
    rows = [
        (
            day.isoformat(),
            [text.capacity(int(total))]
            + [text.capacity(int(values[day])) if day in values else NO_VALUE for _label, values in parts],
        )
        for day, total in series
    ]
    return bands, [label for label, _values in parts], rows


def _describe(points, values, refs, projection, bands, value_label, text: _ChartText) -> str:
    """The chart in words, for the SVG's <desc> (screen readers)."""
    if not points:
        return _("No usage samples in this period.")
    description = _(
        "%(label)s per day from %(first_day)s to %(last_day)s: from %(first)s to %(last)s, highest %(highest)s."
    ) % {
        "label": value_label,
        "first_day": text.day(points[0].day),
        "last_day": text.day(points[-1].day),
        "first": points[0].value_text,
        "last": points[-1].value_text,
        "highest": text.capacity(max(values)),
    }
    for ref in refs:
        description += f" {ref.label} {ref.value_text}."
    if projection:
        description += " " + _("Forecast: %(label)s.") % {"label": projection.label}
    if bands:
        description += " " + _("Split: %(parts)s.") % {
            "parts": "; ".join(f"{band.label} {band.latest_text}" for band in bands)
        }
    return description
