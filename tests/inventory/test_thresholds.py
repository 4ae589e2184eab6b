"""Threshold states: the SQL CASE and the Python function agree on every edge, with each pool's thresholds."""

import pytest

from inventory.models import Allocation
from inventory.thresholds import (
    threshold_state,
    threshold_state_expression,
    used_percent,
    used_percent_expression,
)
from tests.dashboard.conftest import build_estate

TB = 10**12
PB = 10**15


@pytest.mark.parametrize(
    ("used", "quota", "warning", "critical", "state"),
    [
        (None, TB, 80, 90, "none"),
        (0, TB, 80, 90, "ok"),
        (TB * 80 // 100 - 1, TB, 80, 90, "ok"),
        (TB * 80 // 100, TB, 80, 90, "warning"),  # exactly at the warning threshold
        (TB * 90 // 100, TB, 80, 90, "critical"),  # exactly at the critical threshold
        (TB, TB, 80, 90, "critical"),  # exactly full is not over quota
        (TB + 1, TB, 80, 90, "over"),
        (TB * 75 // 100, TB, 70, 75, "critical"),  # a pool with stricter thresholds
        (0, 0, 80, 90, "ok"),
        (1, 0, 80, 90, "over"),
        (90 * PB, 100 * PB, 80, 90, "critical"),  # used x 100 would overflow bigint
    ],
)
def test_sql_and_python_agree(db, used, quota, warning, critical, state):
    estate = build_estate(teams=1, projects_per_team=1, pools=1, quota=quota)
    allocation = estate.allocations[0]
    pool = estate.pools[0]
    pool.warning_threshold, pool.critical_threshold = warning, critical
    pool.save(update_fields=["warning_threshold", "critical_threshold"])
    Allocation.objects.filter(pk=allocation.pk).update(used_bytes=used)
    assert threshold_state(used, quota, warning, critical) == state
    row = Allocation.objects.annotate(state=threshold_state_expression(), percent=used_percent_expression()).get(
        pk=allocation.pk
    )
    assert row.state == state
    assert row.percent == used_percent(used, quota)


@pytest.mark.parametrize(
    ("percent", "state"),
    [
        ("79.99", "ok"),
        ("80", "warning"),
        ("89.999", "warning"),
        ("90.0", "critical"),
        ("100", "critical"),
        ("100.01", "over"),
    ],
)
def test_percent_state_is_at_or_above_each_threshold(percent, state):
    from decimal import Decimal

    from inventory.thresholds import percent_state

    assert percent_state(Decimal(percent), 80, 90) == state


def test_threshold_bytes_is_where_the_state_starts():
    from inventory.thresholds import threshold_bytes

    for limit in (TB, TB + 1, 7, 10**21 + 3):
        line = threshold_bytes(limit, 90)
        assert threshold_state(line, limit) == "critical"
        assert threshold_state(line - 1, limit) == "warning"
