"""TLS: verification is on by default; a CA bundle makes an array with its own CA trusted; --insecure skips it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from inventory.models import UsageSample
from tests.collection.conftest import make_collector, run_collect
from tests.collection.simulators import DeviceManagerSimulator

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command makes the test certificate"),
]


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (its own CA)."""
    cert, key = tmp_path / "array.pem", tmp_path / "array.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture
def tls_sim(sim_state, certificate):
    with DeviceManagerSimulator(sim_state, certificate=certificate) as server:
        yield server


def test_an_unknown_ca_is_refused_by_default(tls_sim, sim_state, inventory, tmp_path):
    make_collector(inventory["array"], tls_sim.url, tmp_path=tmp_path)
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 1
    assert "TLS verification of https://127.0.0.1" in err and "CA bundle" in err
    assert sim_state.login_attempts == 0


def test_the_ca_bundle_makes_it_trusted(tls_sim, sim_state, inventory, tmp_path, certificate):
    make_collector(inventory["array"], tls_sim.url, tmp_path=tmp_path, ca_bundle=certificate[0])
    code, out, err = run_collect(inventory["array"].slug)
    assert code == 0, err
    assert UsageSample.objects.count() == 2


def test_trial_with_insecure_and_with_ca_bundle(tls_sim, sim_state, inventory, tmp_path, certificate):
    secret = tmp_path / "pw"
    secret.write_text("s3cret")
    common = ["--kind", "oceanstor", "--url", tls_sim.url, "--username", "monitor", "--password-file", str(secret),
              "--array", inventory["array"].slug, "--dry-run"]  # fmt: skip
    assert run_collect(*common)[0] == 1
    assert run_collect(*common, "--insecure")[0] == 0
    assert run_collect(*common, "--ca-bundle", certificate[0])[0] == 0
    code, out, err = run_collect(*common, "--ca-bundle", str(tmp_path / "missing.pem"))
    assert code == 1 and "missing.pem does not exist" in err
    assert sim_state.open_sessions == 0
