"""Pacific client: a whole collection, wrong password, session expiry, busy answers, a bad record."""

from __future__ import annotations

import pytest

from inventory.models import UsageSample
from tests.collection.conftest import make_collector, run_collect
from tests.collection.simulators import TB

pytestmark = pytest.mark.django_db


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
