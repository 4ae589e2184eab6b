"""Report ages as pages say them, and the stale badge from the one staleness rule (inventory.figures)."""

import datetime

import pytest

from dashboard.ages import age_text, report_age
from inventory.models import Allocation

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (datetime.timedelta(seconds=20), "just now"),
        (datetime.timedelta(minutes=-5), "just now"),  # a clock a little ahead
        (datetime.timedelta(minutes=12), "12 min ago"),
        (datetime.timedelta(hours=3, minutes=59), "3 h ago"),
        (datetime.timedelta(hours=47), "47 h ago"),
        (datetime.timedelta(days=5, hours=2), "5 d ago"),
    ],
)
def test_age_text(ago, text):
    assert age_text(NOW - ago, now=NOW) == text


@pytest.mark.parametrize(
    ("status", "days", "stale"),
    [("active", 6, False), ("active", 7, False), ("active", 8, True), ("expired", 30, False)],
)
def test_only_an_active_allocation_past_the_staleness_limit_is_stale(settings, status, days, stale):
    settings.CAPACITY_STALENESS_DAYS = 7
    allocation = Allocation(status=status, usage_measured_at=NOW - datetime.timedelta(days=days))
    html = report_age(allocation, now=NOW)
    assert f"{days} d ago" in html
    assert ("badge-stale" in html) is stale


def test_never_reported():
    assert "never" in report_age(Allocation(status="active"), now=NOW)
