"""``manage.py collect`` against a simulated DeviceManager: usage, observations, reconciliation, faults."""

from __future__ import annotations

import pytest

from collection.models import CapacityObservation, CollectionRun, ReconciliationItem
from inventory.models import Allocation, UsageImport, UsageSample
from tests.collection.conftest import make_collector, run_collect
from tests.collection.simulators import TB

pytestmark = pytest.mark.django_db


def test_collects_usage_observations_and_reconciliation(dm_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 0, err
    run = CollectionRun.objects.get()
    assert run.outcome == CollectionRun.Outcome.SUCCEEDED
    assert (run.quota_trees, run.samples_added, run.logins) == (3, 2, 1)
    first, second = inventory["allocations"]
    sample = UsageSample.objects.get(allocation=first)
    assert (sample.used_bytes, sample.hard_limit_bytes, sample.soft_limit_bytes, sample.file_count) == (
        1_000_000_007,
        10 * TB,
        8 * TB,
        100,
    )
    # proj-1 has no allocation by name, but the allocation keyed by the tree's id (1001) matches.
    assert UsageSample.objects.get(allocation=second).used_bytes == 2_000_000_014
    pool_seen = CapacityObservation.objects.get(pool=inventory["pool"])
    assert (pool_seen.total_bytes, pool_seen.used_bytes) == (1_200_000 * 10**9, 300_000 * 10**9 + 512)
    assert pool_seen.logical_used_bytes == 450_000 * 10**9 + 1024
    system_seen = CapacityObservation.objects.get(pool=None)
    assert system_seen.total_bytes == 1_200_000 * 10**9 + 500 * TB
    kinds = sorted(ReconciliationItem.objects.values_list("kind", "name_on_system"))
    assert kinds == [
        ("limit_differs", "proj-1"),  # the array enforces 10 TB where 5 TB was promised
        ("pool_without_match", "pool-b"),
        ("tree_without_allocation", "proj-2"),
    ]
    drift = ReconciliationItem.objects.get(kind="limit_differs")
    assert (drift.reported_bytes, drift.promised_bytes, drift.allocation) == (10 * TB, 5 * TB, second)
    assert sim_state.sessions_opened == sim_state.sessions_closed == 1
    assert "Succeeded" in out


def test_dry_run_writes_nothing(dm_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug, "--dry-run")

    assert code == 0, err
    assert "would add 2 samples" in out
    assert not UsageSample.objects.exists()
    assert not CapacityObservation.objects.exists()
    assert not UsageImport.objects.exists()
    assert CollectionRun.objects.get().outcome == CollectionRun.Outcome.DRY_RUN
    assert sim_state.open_sessions == 0


def test_wrong_password_is_tried_once_and_fails_the_run(dm_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path, password="wrong")

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 1
    assert sim_state.login_attempts == 1
    assert "wrong user name or password" in err and "Not retried" in err
    run = CollectionRun.objects.get()
    assert run.outcome == CollectionRun.Outcome.FAILED
    assert "wrong user name or password" in run.errors[0]


def test_bad_record_fails_the_run_and_writes_nothing(dm_sim, sim_state, inventory, tmp_path):
    sim_state.faults.bad_quota_tree = "1000"
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 1
    assert "quota tree proj-0 (id 1000), quota q1000: SPACEUSED" in err
    assert not UsageSample.objects.exists()
    assert not CapacityObservation.objects.exists()
    assert not ReconciliationItem.objects.exists()
    assert Allocation.objects.filter(used_bytes__isnull=False).count() == 0
    assert CollectionRun.objects.get().outcome == CollectionRun.Outcome.FAILED
    assert sim_state.sessions_opened == sim_state.sessions_closed == 1


def test_session_expiring_mid_run_logs_in_again_once(dm_sim, sim_state, inventory, tmp_path):
    sim_state.faults.expire_after_gets = 4
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 0, err
    assert CollectionRun.objects.get().logins == 2
    assert sim_state.sessions_opened == 2
    assert sim_state.open_sessions == 0
    assert UsageSample.objects.count() == 2


def test_busy_answer_is_retried(dm_sim, sim_state, inventory, tmp_path):
    sim_state.faults.busy_answers = 2
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 0, err
    assert UsageSample.objects.count() == 2


def test_error_envelope_with_http_200_fails_the_run(dm_sim, sim_state, inventory, tmp_path):
    sim_state.faults.error_on_path = "storagepool"
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 1
    assert "DeviceManager answered error 50331651" in err
    assert not UsageSample.objects.exists()
    assert sim_state.sessions_opened == sim_state.sessions_closed == 1


def test_no_hard_limit_is_reported_and_user_quotas_are_skipped(dm_sim, sim_state, inventory, tmp_path):
    sim_state.trees[0].hard = sim_state.trees[0].soft = None
    sim_state.trees[0].user_quota = True
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 0, err
    sample = UsageSample.objects.get(allocation=inventory["allocations"][0])
    assert (sample.hard_limit_bytes, sample.soft_limit_bytes) == (None, None)
    assert UsageSample.objects.count() == 2  # the user quota is not a sample
    assert "skipped a user quota" in err
    item = ReconciliationItem.objects.get(kind="limit_differs", name_on_system="proj-0")
    assert (item.reported_bytes, item.promised_bytes, item.detail) == (
        None,
        10 * TB,
        "the array enforces no hard limit",
    )


def test_collecting_again_adds_a_new_moment(dm_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    assert run_collect(inventory["array"].slug)[0] == 0
    sim_state.trees[0].used += 1
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 0, err
    first = inventory["allocations"][0]
    assert list(
        UsageSample.objects.filter(allocation=first).order_by("measured_at").values_list("used_bytes", flat=True)
    ) == [
        1_000_000_007,
        1_000_000_008,
    ]
    first.refresh_from_db()
    assert first.used_bytes == 1_000_000_008
