"""The forecast and ratio filters: never a negative or infinite number of days."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboard.templatetags.forecast import days_until_full, full_on, ratio


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (None, "not filling"),
        ("", "not filling"),
        (-3.0, "not filling"),
        (float("inf"), "not filling"),
        (float("nan"), "not filling"),
        (0.0, "full now"),
        (0.4, "within a day"),
        (1.9, "in 1 day"),
        (41.99, "in 41 days"),
        (1234.5, "in 1,234 days"),
    ],
)
def test_days_until_full(days, shown):
    assert days_until_full(days) == shown


def test_full_on():
    today = timezone.now().astimezone(dt.UTC).date()
    assert full_on(10.7) == today + dt.timedelta(days=10)
    assert full_on(None) is None
    assert full_on(1e12) is None  # beyond the calendar: no date rather than an error


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("1.5"), "1.50 : 1"), (Decimal("2.004999"), "2.00 : 1"), (0.805, "0.81 : 1"), (None, "—"), ("x", "—")],
)
def test_ratio(value, shown):
    assert ratio(value) == shown
