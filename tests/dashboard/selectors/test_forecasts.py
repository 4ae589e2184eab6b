"""Days until an allocation's quota is full: the pools' rule (dashboard/forecast.py) with the quota as the
limit, fitted to the allocation's daily figure, checked against the pure-Python reference; shown on rows."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboard.forecast import least_squares_days_until_full
from dashboard.selectors.forecasts import allocation_forecasts
from tests.inventory.factories import TB, make_allocation, make_pool, record_daily_usage

GB = 10**9


def today():
    return timezone.now().astimezone(dt.UTC).date()


@pytest.mark.django_db
def test_allocation_forecast_equals_the_reference_on_its_daily_figure():
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool=pool, quota=10 * TB)
    # Uneven growth, and no report on two days: those days carry the previous value (the daily figure).
    reported = {back: 1 * TB + (20 - back) ** 2 * 5 * GB for back in range(20) if back not in (4, 9)}
    record_daily_usage(allocation, [(today() - dt.timedelta(days=back), used) for back, used in reported.items()])
    daily = []
    for back in range(19, -1, -1):
        value = reported.get(back, reported.get(back + 1))
        daily.append(((today() - dt.timedelta(days=back) - dt.date(2000, 1, 1)).days, value))
    expected = least_squares_days_until_full(daily, 10 * TB)
    forecast = allocation_forecasts([allocation.pk])[allocation.pk]
    assert forecast.points == 20
    assert forecast.days_until_full == pytest.approx(expected, abs=1e-6)  # rounded to a millionth of a day


@pytest.mark.django_db
def test_not_filling_full_now_and_nothing_reported():
    pool = make_pool(capacity=100 * TB)
    flat, over, silent = (make_allocation(pool=pool, quota=10 * TB) for _ in range(3))
    days = [today() - dt.timedelta(days=back) for back in range(5)]
    record_daily_usage(flat, [(day, 5 * TB) for day in days])
    record_daily_usage(over, [(day, 11 * TB - i * GB) for i, day in enumerate(days)])  # rising, over quota
    forecasts = allocation_forecasts([flat.pk, over.pk, silent.pk])
    assert forecasts[flat.pk].days_until_full is None
    assert forecasts[over.pk].days_until_full == 0
    assert silent.pk not in forecasts
    assert allocation_forecasts([]) == {}


@pytest.mark.django_db
def test_allocation_rows_say_when_the_quota_is_full(researcher_client):
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool=pool, quota=10 * TB)
    # 100 GB a day up to 6 TB today: 4 TB left, full in 40 days.
    record_daily_usage(
        allocation, [(today() - dt.timedelta(days=back), 6 * TB - back * 100 * GB) for back in range(10)]
    )
    html = researcher_client.get("/allocations/").content.decode()
    assert "quota full in 40 days" in html
    project_page = researcher_client.get(allocation.project.get_absolute_url()).content.decode()
    assert "quota full in 40 days" in project_page
    assert "quota full in 40 days" in researcher_client.get(pool.get_absolute_url()).content.decode()
