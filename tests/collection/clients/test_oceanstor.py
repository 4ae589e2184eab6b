"""DeviceManager client: paging, the account's state, retries when unreachable."""

from __future__ import annotations

import pytest

from collection.models import CollectionRun
from collection.services.run import collect
from collection.services.targets import from_collector
from inventory.models import UsageSample
from tests.collection.conftest import make_collector, run_collect
from tests.collection.simulators import DeviceManagerSimulator, build_state

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


def test_expired_password_stops_without_retry_and_closes_the_session(dm_sim, sim_state, inventory, tmp_path):
    sim_state.account_state = 3
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "the password has expired" in err
    assert sim_state.login_attempts == 1
    assert sim_state.sessions_opened == sim_state.sessions_closed == 1


def test_unreachable_array_fails_after_bounded_retries(inventory, tmp_path):
    make_collector(inventory["array"], "http://127.0.0.1:9", tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "busy or unreachable after 3 attempts" in err


def test_vstore_ids_limit_the_file_systems_read(inventory, tmp_path):
    state = build_state(trees=4, file_systems=2, serial=inventory["array"].serial_number)
    state.vstores = {"101": "7"}  # fs1 (trees proj-1 and proj-3) belongs to vStore 7
    with DeviceManagerSimulator(state) as sim:
        make_collector(inventory["array"], sim.url, tmp_path=tmp_path, vstore_ids="0")
        run, applied = collect(target=from_collector(inventory["array"].collector))
    assert run.outcome == CollectionRun.Outcome.SUCCEEDED, run.errors
    assert (run.file_systems, run.quota_trees) == (1, 2)
    assert UsageSample.objects.count() == 1  # proj-0; the allocation keyed 1001 is in vStore 7, not read
