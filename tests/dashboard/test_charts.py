"""Chart geometry: nice ticks in capacity units, points inside the plot, the quota line."""

import datetime
from decimal import Decimal

from dashboard.charts import line_chart, nice_step, value_ticks

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
