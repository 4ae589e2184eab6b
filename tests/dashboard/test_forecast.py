"""Days until full: the SQL regression against the pure-Python reference, and the "not filling" cases."""

import datetime as dt

import pytest

from dashboard.forecast import least_squares_days_until_full, window_start
from dashboard.selectors.forecasts import pool_forecasts
from inventory.models import UsageSample
from inventory.services.rollups import refresh_daily_usage
from tests.inventory import factories

TB = 10**12
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def make_pool(capacity=100 * TB):
    return factories.make_pool(capacity=capacity, array=factories.make_array(raw=10 * capacity, usable=5 * capacity))


def make_allocation(pool, quota=10 * TB):
    return factories.make_allocation(pool=pool, quota=quota, start_date=dt.date(2025, 1, 1))


def sample(allocation, days_ago, used, physical=None, hour=3):
    day = NOW.date() - dt.timedelta(days=days_ago)
    return UsageSample.objects.create(
        allocation=allocation,
        measured_at=dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC),
        used_bytes=used,
        physical_used_bytes=physical,
    )


def day_number(days_ago):
    return (NOW.date() - dt.timedelta(days=days_ago) - dt.date(2000, 1, 1)).days


# --- the reference -----------------------------------------------------------------------------


def test_reference_on_an_exact_line():
    # 1 TB a day from 10 TB; latest 19 TB at day 9; 100 TB limit: 81 days.
    points = [(day, 10 * TB + day * TB) for day in range(10)]
    assert least_squares_days_until_full(points, 100 * TB) == pytest.approx(81)


@pytest.mark.parametrize(
    "points",
    [
        [],
        [(1, 5 * TB)],
        [(1, 5 * TB), (1, 6 * TB)],  # two samples on one day: no slope
        [(0, 5 * TB), (1, 5 * TB), (2, 5 * TB)],  # flat
        [(0, 9 * TB), (1, 7 * TB), (2, 5 * TB)],  # shrinking
    ],
)
def test_reference_not_filling(points):
    assert least_squares_days_until_full(points, 100 * TB) is None


def test_reference_already_full_is_zero_days():
    assert least_squares_days_until_full([(0, 90 * TB), (1, 120 * TB)], 100 * TB) == 0.0


# --- the SQL -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sql_equals_reference_for_a_filling_pool():
    pool = make_pool(capacity=100 * TB)
    first, second = make_allocation(pool), make_allocation(pool)
    noisy = [3, -2, 5, 0, -4, 1, 2, -1, 4, -3]
    points = {}
    for days_ago in range(20):
        a = 10 * TB + (20 - days_ago) * 300 * 10**9 + noisy[days_ago % 10] * 10**11
        b = 4 * TB + (20 - days_ago) * 150 * 10**9
        # The second allocation reports physical bytes (2:1 reduction): they are what fills the disks.
        sample(first, days_ago, a)
        sample(second, days_ago, 2 * b, physical=b)
        points[day_number(days_ago)] = a + b
    # Outside the 30-day window: must be ignored.
    sample(first, 45, 99 * TB)
    refresh_daily_usage()

    forecast = pool_forecasts(now=NOW)[pool.pk]
    expected = least_squares_days_until_full(points.items(), 100 * TB)

    assert forecast.points == 20
    assert forecast.latest_used_bytes == points[day_number(0)]
    assert expected is not None and expected > 0
    assert forecast.days_until_full == pytest.approx(expected, abs=0.1)
    assert forecast.filling


@pytest.mark.django_db
@pytest.mark.parametrize(
    "series",
    [
        [5 * TB] * 10,  # flat
        [5 * TB + d * 10**11 for d in range(10)],  # shrinking (days_ago grows, usage was higher before)
        [7 * TB],  # one point
    ],
    ids=["flat", "shrinking", "one-point"],
)
def test_sql_not_filling(series):
    pool = make_pool()
    allocation = make_allocation(pool)
    for days_ago, used in enumerate(series):
        sample(allocation, days_ago, used)
    refresh_daily_usage()

    forecast = pool_forecasts(now=NOW)[pool.pk]

    assert forecast.days_until_full is None
    assert not forecast.filling


@pytest.mark.django_db
def test_pool_without_samples_is_listed_not_filling():
    pool = make_pool()
    make_allocation(pool)
    forecast = pool_forecasts(now=NOW)[pool.pk]
    assert forecast.points == 0
    assert forecast.days_until_full is None


@pytest.mark.django_db
def test_window_is_whole_utc_days():
    start = window_start(NOW, 30)
    assert start == dt.datetime(2026, 5, 17, tzinfo=dt.UTC)
    pool = make_pool()
    allocation = make_allocation(pool)
    # The window's days are whole UTC days from its start: the sample of the start's first minute is the
    # first day's, and it carries forward through the next six days (docs/domain.md); the sample a second
    # before the window belongs to the day before it, which is not a point.
    UsageSample.objects.create(allocation=allocation, measured_at=start, used_bytes=1 * TB)
    UsageSample.objects.create(allocation=allocation, measured_at=start - dt.timedelta(seconds=1), used_bytes=TB)
    refresh_daily_usage()
    assert pool_forecasts(now=NOW)[pool.pk].points == 7


@pytest.mark.django_db
def test_pools_come_soonest_full_first_and_can_be_filtered():
    slow, fast, flat = make_pool(), make_pool(), make_pool()
    for pool, per_day in ((slow, 10**11), (fast, 10**12), (flat, 0)):
        allocation = make_allocation(pool)
        for days_ago in range(5):
            sample(allocation, days_ago, 5 * TB - days_ago * per_day)
    refresh_daily_usage()

    forecasts = pool_forecasts(now=NOW)
    ordered = [pool_id for pool_id in forecasts if pool_id in {slow.pk, fast.pk, flat.pk}]
    assert ordered == [fast.pk, slow.pk, flat.pk]
    assert set(pool_forecasts(pool_ids=[slow.pk], now=NOW)) == {slow.pk}


@pytest.mark.django_db
def test_a_day_counts_each_allocations_last_sample_once():
    pool = make_pool(capacity=100 * TB)
    allocation = make_allocation(pool)
    sample(allocation, 1, 10 * TB)
    sample(allocation, 0, 11 * TB, hour=1)
    sample(allocation, 0, 12 * TB, hour=5)  # the day's last report: 12 TB, not 23 TB
    refresh_daily_usage()

    forecast = pool_forecasts(now=NOW)[pool.pk]

    assert forecast.latest_used_bytes == 12 * TB
    assert forecast.slope_bytes_per_day == pytest.approx(2 * TB)
    assert forecast.days_until_full == pytest.approx(44)


@pytest.mark.django_db(transaction=False)
def test_one_query_for_every_pool(django_assert_num_queries):
    for _ in range(3):
        allocation = make_allocation(make_pool())
        for days_ago in range(3):
            sample(allocation, days_ago, TB * (3 - days_ago))
    refresh_daily_usage()
    with django_assert_num_queries(1):
        assert len(pool_forecasts(now=NOW)) >= 3


# --- an allocation's quota (the same rule, one query) --------------------------------------------


@pytest.mark.django_db
def test_allocation_forecast_equals_reference_against_its_quota():
    from dashboard.selectors.forecasts import allocation_forecasts

    pool = make_pool()
    filling, flat = make_allocation(pool, quota=10 * TB), make_allocation(pool, quota=10 * TB)
    noisy = [3, -2, 5, 0, -4, 1, 2, -1, 4, -3]
    points = {}
    for days_ago in range(0, 20, 2):  # every other day: a day between carries the last value forward
        used = 2 * TB + (20 - days_ago) * 200 * 10**9 + noisy[days_ago % 10] * 10**10
        # Logical, not physical: a quota counts logical usage.
        sample(filling, days_ago, used, physical=used // 2)
        sample(flat, days_ago, 3 * TB)
        points[day_number(days_ago)] = used
        if days_ago:
            points[day_number(days_ago - 1)] = used  # carried to the next day
    sample(filling, 45, 9 * TB)  # outside the window

    forecasts = allocation_forecasts([filling.pk, flat.pk], now=NOW)

    expected = least_squares_days_until_full(points.items(), 10 * TB)
    assert forecasts[filling.pk].points == len(points)
    assert forecasts[filling.pk].days_until_full == pytest.approx(expected, abs=0.01)
    assert forecasts[flat.pk].days_until_full is None


@pytest.mark.django_db
def test_allocation_forecasts_one_query_and_none_for_nothing(django_assert_num_queries):
    from dashboard.selectors.forecasts import allocation_forecasts

    pool = make_pool()
    allocations = [make_allocation(pool) for _ in range(3)]
    with django_assert_num_queries(0):
        assert allocation_forecasts([]) == {}
    with django_assert_num_queries(1):
        assert set(allocation_forecasts([a.pk for a in allocations], now=NOW)) <= {a.pk for a in allocations}
