"""Pushing a usage report over HTTP: the import service's results as JSON; permissions; idempotence."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import ApiToken
from inventory.models import Allocation, UsageImport, UsageSample
from tests.api.conftest import bearer
from tests.inventory.factories import PB, make_allocation, make_array, make_pool

LFS = (
    "Disk quotas for prj 10001 (pid 10001):\n"
    "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\n"
    "/lustre/scratch 1000 0 2000 - 10 0 0 -\n"
    "Disk quotas for prj 10002 (pid 10002):\n"
    "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\n"
    "/lustre/scratch 3000 0 0 - 30 0 0 -\n"
)


def _scratch():
    pool = make_pool(array=make_array(raw=4 * PB, usable=3 * PB), slug="scratch", capacity=2 * PB)
    return [make_allocation(pool=pool, quota_id=quota_id) for quota_id in ("10001", "10002")]


def _push(client, headers, text=LFS, **fields):
    data = {
        "file": SimpleUploadedFile("quota.txt", text.encode()),
        "format": "lfs",
        "pool": "scratch",
        "measured_at": "2026-11-28T00:00:00Z",
        **fields,
    }
    return client.post("/api/v1/usage-reports/", data, headers=headers)


def test_push_imports_the_report_once(client, infra):
    first_allocation, _ = _scratch()
    headers = bearer(infra)
    response = _push(client, headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ok"], body["added"], body["skipped"], body["errors"]) == (True, 2, 0, [])
    assert any("quota drift" in warning["reason"] for warning in body["warnings"])
    first_allocation.refresh_from_db()
    assert first_allocation.used_bytes == 1000 * 1024
    assert UsageImport.objects.get(pk=body["import_id"]).user == infra
    again = _push(client, headers).json()
    assert (again["added"], again["skipped"]) == (0, 2)
    assert UsageSample.objects.count() == 2


def test_a_bad_record_writes_nothing_and_names_the_record(client, infra):
    _scratch()
    text = LFS.replace("3000 0 0 -", "[3000] 0 0 -")
    response = _push(client, bearer(infra), text=text)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["added"] == 0
    assert body["errors"] and body["errors"][0]["record"]
    unknown = _push(client, bearer(infra), text=LFS.replace("10002", "99999")).json()
    assert any("99999" in error["reason"] for error in unknown["errors"])
    assert UsageSample.objects.count() == 0
    assert Allocation.objects.filter(used_bytes__isnull=False).count() == 0


def test_form_errors_name_the_field(client, infra):
    _scratch()
    response = _push(client, bearer(infra), format="nfs", measured_at="2026-11-28T00:00:00")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"format", "measured_at"}
    assert "time zone" in body["measured_at"][0]
    response = client.post("/api/v1/usage-reports/", {"format": "lfs"}, headers=bearer(infra))
    assert response.status_code == 400 and "file" in response.json()


def test_push_needs_a_read_write_token_of_an_importer(client, infra, manager):
    _scratch()
    assert _push(client, bearer(infra, ApiToken.Scope.READ)).status_code == 403
    assert _push(client, bearer(manager)).status_code == 403
    assert _push(client, {}).status_code == 401
    assert UsageSample.objects.count() == 0
