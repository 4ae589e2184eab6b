"""Fixtures for the collection tests: an inventory array with pools and allocations, and a simulated array."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from collection.models import Collector
from tests.collection.simulators import DeviceManagerSimulator, PacificSimulator, build_state
from tests.inventory.factories import TB, make_allocation, make_array, make_pool, make_project


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.COLLECTION_BACKOFF_SECONDS = 0.01
    settings.COLLECTION_ATTEMPTS = 3


@pytest.fixture
def sim_state():
    return build_state(trees=3)


@pytest.fixture
def dm_sim(sim_state):
    with DeviceManagerSimulator(sim_state) as server:
        yield server


@pytest.fixture
def pacific_sim(sim_state):
    with PacificSimulator(sim_state) as server:
        yield server


@pytest.fixture
def inventory(db, sim_state):
    """The inventory's side: the array (same serial), pool-a collected, allocations for proj-0 and proj-1."""
    array = make_array(serial_number=sim_state.serial, raw=4 * 10**15, usable=1_500 * TB)
    pool = make_pool(array=array, capacity=1_000 * TB, system_name="pool-a")
    first = make_allocation(pool=pool, quota_id="proj-0", quota=10 * TB, project=make_project())
    second = make_allocation(pool=pool, quota_id="1001", quota=5 * TB, project=make_project())
    return {"array": array, "pool": pool, "allocations": [first, second]}


def make_collector(array, url, *, kind="oceanstor", tmp_path=None, password="s3cret", **fields):
    secret = tmp_path / "password"
    secret.write_text(password + "\n")
    return Collector.objects.create(
        array=array, kind=kind, base_url=url, username="monitor", password_file=str(secret), **fields
    )


def run_collect(*args) -> tuple[int, str, str]:
    """Run ``manage.py collect`` as a user would: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("collect", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    except CommandError as error:  # what manage.py prints, with exit status 1
        code = 1
        err.write(str(error))
    return code, out.getvalue(), err.getvalue()
