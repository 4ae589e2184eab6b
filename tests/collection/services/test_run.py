"""The run service: the array's identity and one run per array at a time."""

from __future__ import annotations

import pytest

from collection.models import CollectionRun
from collection.services.run import collect
from collection.services.targets import from_collector
from tests.collection.conftest import make_collector, run_collect

pytestmark = pytest.mark.django_db


def test_wrong_serial_number_fails(dm_sim, sim_state, inventory, tmp_path):
    sim_state.serial = "OTHER"
    make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "reports serial number OTHER" in err
    assert sim_state.open_sessions == 0


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
