"""The README's cron line, run as written (lfs replaced by its output) with curl against a live server."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from api.tokens import create_token
from inventory.models import UsageSample
from tests.api.test_usage_reports import LFS, _scratch

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


# serialized_rollback: the flush after a transactional test would otherwise drop the roles the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_documented_cron_line_pushes_a_report(live_server, infra, tmp_path):
    _scratch()
    _, secret = create_token(user=infra, name="cron", scope="read_write", expires_in_days=7)
    line = re.search(r"^15 \* \* \* \* (.+)$", README.read_text(), re.MULTILINE).group(1)
    # What cron itself does to the line (\% is a literal %), then this test's stand-ins.
    command = line.replace("\\%", "%")
    command = command.replace("lfs quota -p 10001 /lustre/scratch", f"cat {tmp_path / 'quota.txt'}")
    command = command.replace("$(cat /etc/capacity/token)", secret)
    command = command.replace("https://capacity.example.org", live_server.url)
    (tmp_path / "quota.txt").write_text(LFS)
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"added":2' in done.stdout
    assert UsageSample.objects.count() == 2
