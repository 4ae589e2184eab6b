"""Paging, Pacific, trial runs from the command line, and the worker's scheduling and retention."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from collection.models import CollectionRun
from collection.services.retention import thin_samples
from collection.services.run import collect
from collection.services.schedule import due_collectors
from collection.services.targets import from_collector
from inventory.models import UsageSample
from tests.collection.conftest import make_collector
from tests.collection.management.test_collect import run_collect
from tests.collection.simulators import TB, DeviceManagerSimulator, build_state
from tests.inventory.factories import make_allocation, make_project

pytestmark = pytest.mark.django_db


def test_1050_quota_trees_over_11_pages(inventory, tmp_path):
    state = build_state(trees=1050, serial=inventory["array"].serial_number)
    with DeviceManagerSimulator(state) as sim:
        make_collector(inventory["array"], sim.url, tmp_path=tmp_path)
        run, applied = collect(target=from_collector(inventory["array"].collector))
    assert run.outcome == CollectionRun.Outcome.SUCCEEDED, run.errors
    assert run.quota_trees == 1050
    tree_pages = [request for request in state.requests if request.endswith("/quotatree")]
    assert len(tree_pages) == 11
    assert len([item for item in applied.reconciliation if item.kind == "tree_without_allocation"]) == 1048
    assert state.sessions_opened == state.sessions_closed == 1


def test_pacific_collection(pacific_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], pacific_sim.url, kind="pacific", tmp_path=tmp_path)

    code, out, err = run_collect(inventory["array"].slug)

    assert code == 0, err
    first, second = inventory["allocations"]
    sample = UsageSample.objects.get(allocation=first)
    assert (sample.used_bytes, sample.hard_limit_bytes, sample.file_count) == (1_000_000_007, 10 * TB, 100)
    # The allocation keyed "1001" matches no dtree name or id ("1001@100"): reported as missing.
    assert "Active allocation with no quota tree" in out
    assert sim_state.sessions_opened == sim_state.sessions_closed == 1


def test_pacific_wrong_password_is_tried_once(pacific_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], pacific_sim.url, kind="pacific", tmp_path=tmp_path, password="nope")
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert sim_state.login_attempts == 1
    assert "Pacific refused user monitor: wrong user name or password" in err


def test_trial_run_from_options(dm_sim, sim_state, inventory, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("s3cret")
    code, out, err = run_collect(
        "--kind", "oceanstor", "--url", dm_sim.url, "--username", "monitor", "--password-file", str(secret),
        "--array", inventory["array"].slug, "--dry-run",
    )  # fmt: skip
    assert code == 0, err
    assert "Dry run" in out
    assert not UsageSample.objects.exists()


def test_wrong_serial_number_fails(dm_sim, sim_state, inventory, tmp_path):
    sim_state.serial = "OTHER"
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "reports serial number OTHER" in err
    assert sim_state.open_sessions == 0


def test_unreachable_array_fails_after_bounded_retries(inventory, tmp_path):
    make_collector(inventory["array"], "http://127.0.0.1:9", tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "busy or unreachable after 3 attempts" in err


def test_due_collectors(inventory, tmp_path):
    collector = make_collector(inventory["array"], "http://127.0.0.1:9", tmp_path=tmp_path)
    now = timezone.now()
    assert due_collectors(now=now) == [collector.pk]
    CollectionRun.objects.create(array=collector.array, collector=collector, kind="oceanstor", started_at=now)
    assert due_collectors(now=now + datetime.timedelta(minutes=14)) == []
    assert due_collectors(now=now + datetime.timedelta(minutes=15)) == [collector.pk]
    collector.enabled = False
    collector.save()
    assert due_collectors(now=now + datetime.timedelta(minutes=15)) == []


def test_thinning_keeps_the_last_sample_of_each_day(inventory):
    allocation = make_allocation(pool=inventory["pool"], quota_id="x", project=make_project())
    now = timezone.now()
    old_day = (now - datetime.timedelta(days=100)).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [old_day + datetime.timedelta(minutes=15 * n) for n in range(4)] + [now - datetime.timedelta(days=1)]
    moments.append(now - datetime.timedelta(days=1, minutes=15))
    for number, moment in enumerate(moments):
        UsageSample.objects.create(allocation=allocation, measured_at=moment, used_bytes=number)

    assert thin_samples(retention_days=90, now=now) == 3

    kept = sorted(UsageSample.objects.filter(allocation=allocation).values_list("used_bytes", flat=True))
    assert kept == [3, 4, 5]


def test_expired_password_stops_without_retry_and_closes_the_session(dm_sim, sim_state, inventory, tmp_path):
    sim_state.account_state = 3
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "the password has expired" in err
    assert sim_state.login_attempts == 1
    assert sim_state.sessions_opened == sim_state.sessions_closed == 1


def test_pacific_session_expiring_and_busy_answers(pacific_sim, sim_state, inventory, tmp_path):
    sim_state.faults.expire_after_gets = 2
    sim_state.faults.busy_answers = 1
    make_collector(inventory["array"], pacific_sim.url, kind="pacific", tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 0, err
    assert sim_state.sessions_opened == 2 and sim_state.open_sessions == 0
    assert UsageSample.objects.count() == 1


def test_pacific_bad_record_writes_nothing(pacific_sim, sim_state, inventory, tmp_path):
    sim_state.faults.bad_quota_tree = "1000"
    make_collector(inventory["array"], pacific_sim.url, kind="pacific", tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "quota tree proj-0 (id 1000@100), quota q1000: space_used" in err
    assert not UsageSample.objects.exists()


def test_a_second_run_of_the_same_array_waits_its_turn(dm_sim, sim_state, inventory, tmp_path):
    from django.db import connections

    from collection.services.run import LOCK_NAMESPACE

    collector = make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # another process holds the array's lock
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, collector.array_id])
        run, _ = collect(target=from_collector(collector))
    finally:
        other.close()
    assert run.outcome == CollectionRun.Outcome.FAILED
    assert "another collection of this array is running" in run.errors[0]
    assert sim_state.login_attempts == 0


def test_worker_task_runs_a_collector_and_records_a_missing_password(dm_sim, inventory, tmp_path, monkeypatch):
    from collection.tasks import collect_array

    collector = make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    collect_array(collector_id=collector.pk)
    assert CollectionRun.objects.get().outcome == CollectionRun.Outcome.SUCCEEDED

    collector.password_file, collector.password_env = "", "CAPACITY_TEST_UNSET_PASSWORD"
    collector.save()
    monkeypatch.delenv("CAPACITY_TEST_UNSET_PASSWORD", raising=False)
    collect_array(collector_id=collector.pk)
    failed = CollectionRun.objects.order_by("-started_at").first()
    assert failed.outcome == CollectionRun.Outcome.FAILED
    assert "CAPACITY_TEST_UNSET_PASSWORD is not set" in failed.errors[0]


def test_schedule_defers_one_job_per_due_collector(inventory, tmp_path):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from collection.tasks import schedule_collections

    collector = make_collector(inventory["array"], "http://127.0.0.1:9", tmp_path=tmp_path)
    schedule_collections(timestamp=0)
    schedule_collections(timestamp=60)  # still waiting: the queueing lock allows no second job

    jobs = list(ProcrastinateJob.objects.filter(task_name="collection.tasks.collect_array"))
    assert [(job.args, job.lock, job.status) for job in jobs] == [
        ({"collector_id": collector.pk}, f"collect-{collector.pk}", "todo")
    ]
