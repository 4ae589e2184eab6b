"""Chart geometry: nice ticks in capacity units, points inside the plot, the quota line."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.dateformat import format as format_date

from dashboard.charts import MAX_BANDS, DayFormat, Projection, Reference, line_chart, nice_step, value_ticks

TB = 10**12
TIB = 2**40


def test_nice_step_rounds_up_to_1_2_2_5_5():
    assert nice_step(Decimal("0.3")) == Decimal("0.5")
    assert nice_step(Decimal("1.1")) == Decimal("2")
    assert nice_step(Decimal("2.2")) == Decimal("2.5")
    assert nice_step(Decimal("7")) == Decimal("10")
    assert nice_step(Decimal("40")) == Decimal("50")


def test_value_ticks_decimal_and_binary():
    unit, values, labels = value_ticks(9 * TB)
    assert unit == "TB"
    assert labels == ["0 TB", "2 TB", "4 TB", "6 TB", "8 TB", "10 TB"]
    assert values[-1] == 10 * TB and all(isinstance(v, int) for v in values)
    unit, values, labels = value_ticks(9 * TB, binary=True)
    assert unit == "TiB"
    assert labels[-1].endswith("TiB") and values[-1] >= 9 * TB


def test_line_chart_geometry_and_quota():
    day = datetime.date(2026, 11, 1)
    series = [(day + datetime.timedelta(days=i), (i + 1) * TB) for i in range(10)]
    chart = line_chart(series, title="Usage", quota=12 * TB)
    assert len(chart.points) == 10
    assert chart.points[0].x == chart.left and chart.points[-1].x == chart.right
    # Larger values sit higher (smaller y), all inside the plot.
    assert chart.points[-1].y < chart.points[0].y
    assert all(chart.top <= p.y <= chart.bottom for p in chart.points)
    assert chart.quota_y is not None and chart.top <= chart.quota_y < chart.points[-1].y
    assert chart.points[-1].label == "10 Nov 2026: 10.0 TB" and chart.points[-1].value_text == "10.0 TB"
    # Pre-formatted for the template: one decimal for coordinates, ISO dates for the table.
    assert chart.points[0].cx == f"{chart.left:.1f}" and chart.points[-1].cy == f"{chart.points[-1].y:.1f}"
    assert chart.points[-1].day_text == "2026-11-10"
    assert chart.y_axis_label == "Used (TB)"
    assert "Quota 12.0 TB" in chart.description
    assert len(chart.x_ticks) <= 7


def test_line_chart_single_point_and_empty():
    chart = line_chart([(datetime.date(2026, 1, 1), 0)], title="One")
    assert chart.points[0].x == (chart.left + chart.right) / 2
    empty = line_chart([], title="None")
    assert empty.is_empty and empty.description == "No usage samples in this period."


PB = 10**15


def test_axis_reaches_the_highest_reference_line():
    # A 1 PB pool with 400 TB used: the axis must show the capacity, not stop at 400 TB.
    day = datetime.date(2026, 11, 1)
    series = [(day + datetime.timedelta(days=i), 380 * TB + i * TB) for i in range(20)]
    chart = line_chart(
        series,
        title="Pool",
        references=[Reference("capacity", "Capacity", PB), Reference("critical", "Critical 90 %", 9 * PB // 10)],
    )
    assert chart.axis_max >= PB
    capacity = next(r for r in chart.references if r.kind == "capacity")
    assert capacity.y >= chart.top and capacity.text == "Capacity: 1.00 PB"
    # Lines are sorted by value; the critical one sits below capacity (larger y).
    assert [r.kind for r in chart.references] == ["critical", "capacity"]
    assert chart.references[0].y > capacity.y
    assert "Capacity 1.00 PB." in chart.description


def test_projection_extends_the_time_axis_to_the_day_it_ends():
    day = datetime.date(2026, 11, 1)
    series = [(day + datetime.timedelta(days=i), (i + 1) * TB) for i in range(10)]
    end = datetime.date(2027, 3, 1)
    projection = Projection(series[-1][0], series[-1][1], end, 50 * TB, "Full about 01 Mar 2027")
    chart = line_chart(
        series, title="Pool", references=[Reference("capacity", "Capacity", 50 * TB)], projection=projection
    )
    drawn = chart.projection
    assert drawn.x2 == chart.right and drawn.end_day == end  # the forecast ends at the right edge
    assert drawn.x1 == chart.points[-1].x and drawn.y1 == chart.points[-1].y  # and starts at the last point
    assert drawn.y2 == next(r.y for r in chart.references if r.kind == "capacity")
    assert chart.points[-1].x < chart.right
    assert chart.x_ticks[-1].position == chart.right
    assert "Forecast: Full about 01 Mar 2027." in chart.description


def test_split_stacks_the_parts_under_the_total_and_tables_them():
    day = datetime.date(2026, 11, 1)
    days = [day + datetime.timedelta(days=i) for i in range(3)]
    a = [(d, 2 * TB) for d in days]
    b = [(d, (i + 1) * TB) for i, d in enumerate(days)]
    total = [(d, 2 * TB + (i + 1) * TB) for i, d in enumerate(days)]
    chart = line_chart(total, title="Team", quota=10 * TB, split=[("NN0001K", a), ("NN0002K", b)])
    assert [band.label for band in chart.bands] == ["NN0002K", "NN0001K"]  # largest on the last day first
    assert all(band.path.startswith("M ") and band.path.endswith(" Z") for band in chart.bands)
    # The top of the last band is the total's line.
    top_of_stack = chart.bands[-1].path.split(" L ")[2]
    assert top_of_stack == f"{chart.points[-1].x:.1f},{chart.points[-1].y:.1f}"
    assert chart.table_columns == ["Used", "NN0002K", "NN0001K"]
    assert chart.table_rows[-1] == ("2026-11-03", ["5.00 TB", "3.00 TB", "2.00 TB"])
    assert chart.quota_text == "10.0 TB" and "Quota 10.0 TB." in chart.description


def test_split_keeps_six_parts_and_adds_up_the_rest():
    day = datetime.date(2026, 11, 1)
    parts = [(f"P{i}", [(day, (i + 1) * TB)]) for i in range(9)]
    chart = line_chart([(day, 45 * TB)], title="Team", split=parts)
    assert len(chart.bands) == MAX_BANDS
    assert chart.bands[-1].label == "Other (4)" and chart.bands[-1].latest_text == "10.0 TB"


def test_long_periods_label_dates_with_the_year():
    day = datetime.date(2025, 1, 1)
    series = [(day + datetime.timedelta(days=i), TB) for i in range(0, 700, 7)]
    chart = line_chart(series, title="All")
    assert chart.x_ticks[0].label == "Jan 2025" and len(chart.x_ticks) <= 6


@pytest.mark.parametrize("language", ["en-gb", "nb"])
@pytest.mark.parametrize("pattern", ["j M Y", "j. b Y", "M Y", "j. b", "d.m.y", r"j \d\e F Y", "{j} N", "D j M"])
def test_day_format_writes_what_the_date_filter_writes(language, pattern):
    days = [datetime.date(2024, 1, 1) + datetime.timedelta(days=n) for n in range(0, 800, 13)]
    days += [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)]
    with translation.override(language):
        day_format = DayFormat(pattern)
        assert [day_format(day) for day in days] == [format_date(day, pattern) for day in days]
