"""Pool events, to infrastructure admins: warning and critical thresholds, and a forecast of full within 30 days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inventory.models import Allocation, PoolDailyUsage
from notifications.models import Event
from notifications.passes import run_pass
from tests.inventory.factories import TB, make_allocation, make_pool
from tests.notifications.conftest import recipients, subjects

pytestmark = pytest.mark.django_db


def pool_events(kind):
    return list(Event.objects.filter(kind=kind).order_by("pk").values_list("level", flat=True))


def test_pool_thresholds_fire_once_each_and_rearm(inbox, infra_admin, team_allocation):
    pool = make_pool(capacity=100 * TB, warning_threshold=70, critical_threshold=85)
    allocation = make_allocation(pool=pool, quota=100 * TB, used_bytes=60 * TB)

    def use(used):
        Allocation.objects.filter(pk=allocation.pk).update(used_bytes=used, usage_measured_at=timezone.now())

    run_pass()
    assert pool_events("pool_threshold") == []
    use(70 * TB)  # the pool's own warning threshold (70 %), not the default 80 %
    run_pass()
    run_pass()
    assert pool_events("pool_threshold") == [1]
    assert recipients(inbox) == ["ingrid@example.org"]  # the team's people hear of allocations, not pools
    assert subjects(inbox) == [f"[Capacity] Pool {pool.name} passed its warning threshold (70 %)"]
    use(90 * TB)
    run_pass()
    assert pool_events("pool_threshold") == [1, 2]
    assert "critical threshold (85 %)" in subjects(inbox)[-1]
    use(50 * TB)
    run_pass()
    use(75 * TB)
    run_pass()
    assert pool_events("pool_threshold") == [1, 2, 1]


def test_a_pool_forecast_to_fill_within_30_days_fires_once(inbox, infra_admin):
    pool = make_pool(capacity=100 * TB)
    today = timezone.now().astimezone(dt.UTC).date()

    def daily(growth_per_day):
        PoolDailyUsage.objects.filter(pool=pool).delete()
        PoolDailyUsage.objects.bulk_create(
            PoolDailyUsage(
                pool=pool,
                day=today - dt.timedelta(days=9 - n),
                used_bytes=10 * TB + n * growth_per_day,
                physical_used_bytes=10 * TB + n * growth_per_day,
                allocations=1,
            )
            for n in range(10)
        )

    daily(1 * TB)  # 19 TB used, 81 TB to go at 1 TB a day: 81 days
    run_pass()
    assert pool_events("pool_forecast") == []
    daily(3 * TB)  # 37 TB used, 63 TB to go at 3 TB a day: 21 days
    run_pass()
    run_pass()
    assert pool_events("pool_forecast") == [1]
    assert subjects(inbox) == [f"[Capacity] Pool {pool.name} is forecast to be full in 21 days"]
    daily(0)  # not filling: re-armed
    run_pass()
    daily(4 * TB)
    run_pass()
    assert pool_events("pool_forecast") == [1, 1]


def test_a_pool_already_full_says_so(inbox, infra_admin):
    pool = make_pool(capacity=10 * TB)
    today = timezone.now().astimezone(dt.UTC).date()
    PoolDailyUsage.objects.bulk_create(
        PoolDailyUsage(pool=pool, day=today - dt.timedelta(days=n), used_bytes=used, physical_used_bytes=used,
                       allocations=1)
        for n, used in ((1, 9 * TB), (0, 11 * TB))
    )  # fmt: skip
    run_pass()
    assert subjects(inbox) == [f"[Capacity] Pool {pool.name} is full"]
