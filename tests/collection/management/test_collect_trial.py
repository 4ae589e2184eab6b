"""``manage.py collect`` with the trial options."""

from __future__ import annotations

import pytest

from inventory.models import UsageSample
from tests.collection.conftest import run_collect

pytestmark = pytest.mark.django_db


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
