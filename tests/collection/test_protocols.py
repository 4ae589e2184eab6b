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
