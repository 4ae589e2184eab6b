"""The "Import usage" admin page and the list of imports, through the real admin."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Allocation, UsageImport, UsageSample
from tests.inventory.factories import TB, make_allocation, make_pool

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:inventory_usageimport_import")
CHANGELIST = reverse("admin:inventory_usageimport_changelist")


def xdmod(*records) -> SimpleUploadedFile:
    content = json.dumps([{"user": "u", "pi": "p", "file_count": 7, **record} for record in records])
    return SimpleUploadedFile("june.json", content.encode(), content_type="application/json")


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-12345")
    client.force_login(user)
    return client


@pytest.fixture
def scratch():
    return make_pool(slug="scratch")


def test_page_shows_the_form(superuser_client):
    response = superuser_client.get(IMPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="report"' in html and 'name="format"' in html and 'name="dry_run"' in html
    assert "<script>" not in html and "style=" not in html


def test_errors_are_all_listed_and_nothing_is_written(superuser_client, scratch):
    make_allocation(pool=scratch, quota_id="/a")
    upload = xdmod(
        {"resource": "scratch", "mountpoint": "/a", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1},
        {"resource": "scratch", "mountpoint": "/a", "dt": "2025-06-02T00:00:00Z", "logical_usage": "327.5 TB"},
        {"resource": "scratch", "mountpoint": "/nobody", "dt": "2025-06-03T00:00:00Z", "logical_usage": 1},
    )
    response = superuser_client.post(IMPORT, {"report": upload, "format": "xdmod"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 problems" in html
    assert "Nothing was written" in html
    assert (
        "record 2 (mountpoint /a): logical_usage must be an integer number of bytes, not a string (&#x27;327.5 TB&#x27;)"
        in html
    )
    assert (
        "record 3 (mountpoint /nobody): unknown quota id &#x27;/nobody&#x27;: no allocation on pool scratch has it"
        in html
    )
    assert UsageSample.objects.count() == 0
    record = UsageImport.objects.get()
    assert (record.outcome, record.error_count, record.file_name, record.format) == ("failed", 2, "june.json", "xdmod")


def test_success_shows_counts_and_drift(superuser_client, scratch):
    allocation = make_allocation(pool=scratch, quota_id="/a", quota=40 * TB)
    record = {
        "resource": "scratch",
        "mountpoint": "/a",
        "dt": "2025-06-01T00:00:00Z",
        "logical_usage": 10 * TB,
        "soft_threshold": 45 * TB,
        "hard_threshold": 50 * TB,
    }
    response = superuser_client.post(IMPORT, {"report": xdmod(record), "format": "xdmod"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong class="import-added">1</strong> usage sample,' in html
    assert '<strong class="import-skipped">0</strong> already present' in html
    assert html.count("the array enforces 50.0 TB but the allocation promises 40.0 TB") == 0  # a table instead
    assert '<td title="50000000000000 bytes">50.0 TB</td>' in html
    assert '<td title="40000000000000 bytes">40.0 TB</td>' in html
    sample = UsageSample.objects.get()
    assert (sample.allocation_id, sample.used_bytes, sample.hard_limit_bytes) == (allocation.pk, 10 * TB, 50 * TB)
    allocation.refresh_from_db()
    assert allocation.enforced_quota_bytes == 50 * TB
    done = UsageImport.objects.get()
    assert reverse("admin:inventory_usageimport_change", args=[done.pk]) in html
    assert (done.outcome, done.added, done.drift_warnings, done.user.username) == ("succeeded", 1, 1, "root")

    # The same file again: skipped as already present.
    again = superuser_client.post(IMPORT, {"report": xdmod(record), "format": "xdmod"})
    assert '<strong class="import-skipped">1</strong> already present' in again.content.decode()
    assert UsageSample.objects.count() == 1


def test_lfs_upload_with_pool_and_moment(superuser_client, scratch):
    allocation = make_allocation(pool=scratch, quota_id="10001")
    text = (
        "Disk quotas for prj 10001 (pid 10001):\r\n"
        "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\r\n"
        "/lustre/scratch 1000 0 0 - 10 0 0 -\r\n"
    )
    upload = SimpleUploadedFile("quota.txt", text.encode())
    response = superuser_client.post(
        IMPORT, {"report": upload, "format": "lfs", "pool": "scratch", "measured_at": "2026-11-01T01:00:00+01:00"}
    )
    assert '<strong class="import-added">1</strong>' in response.content.decode()
    sample = UsageSample.objects.get(allocation=allocation)
    assert sample.used_bytes == 1000 * 1024
    assert sample.measured_at == datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def test_form_errors(superuser_client, scratch):
    upload = SimpleUploadedFile("quota.txt", b"x")
    response = superuser_client.post(IMPORT, {"report": upload, "format": "lfs", "measured_at": "2026-11-01 00:00"})
    form = response.context["form"]
    assert "do not name their pool" in form.errors["pool"][0]
    assert "has no time zone: add Z for UTC" in form.errors["measured_at"][0]
    assert UsageImport.objects.count() == 0


def test_dry_run_writes_nothing(superuser_client, scratch):
    make_allocation(pool=scratch, quota_id="/a")
    upload = xdmod({"resource": "scratch", "mountpoint": "/a", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1})
    response = superuser_client.post(IMPORT, {"report": upload, "format": "xdmod", "dry_run": "on"})
    assert "dry run, nothing written: would add" in response.content.decode()
    assert UsageSample.objects.count() == 0
    assert Allocation.objects.get().used_bytes is None
    assert UsageImport.objects.get().outcome == "dry_run"


def test_infrastructure_admin_may_import(admin_client, scratch):
    assert admin_client.get(IMPORT).status_code == 200
    assert "Import usage" in admin_client.get(CHANGELIST).content.decode()


def test_allocation_manager_may_not_import(manager_client):
    assert manager_client.get(IMPORT).status_code == 403
    upload = xdmod({"resource": "scratch", "mountpoint": "/a", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1})
    assert manager_client.post(IMPORT, {"report": upload, "format": "xdmod"}).status_code == 403
    assert UsageImport.objects.count() == 0


def test_researcher_is_sent_to_login(researcher_client):
    response = researcher_client.get(IMPORT)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_imports_are_listed_read_only(superuser_client, scratch):
    make_allocation(pool=scratch, quota_id="/a")
    upload = xdmod({"resource": "scratch", "mountpoint": "/a", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1})
    superuser_client.post(IMPORT, {"report": upload, "format": "xdmod"})
    record = UsageImport.objects.get()
    listing = superuser_client.get(CHANGELIST).content.decode()
    assert "june.json" in listing and "Succeeded" in listing
    assert superuser_client.get(reverse("admin:inventory_usageimport_add")).status_code == 403
    detail = superuser_client.get(reverse("admin:inventory_usageimport_change", args=[record.pk]))
    assert detail.status_code == 200
    assert 'name="file_name"' not in detail.content.decode()  # shown, not editable
    assert superuser_client.post(reverse("admin:inventory_usageimport_delete", args=[record.pk])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("pools", [2, 12])
def test_import_list_runs_a_fixed_number_of_queries_whatever_the_pools(
    admin_client, django_assert_max_num_queries, pools
):
    from inventory.models import UsageImport
    from tests.inventory.factories import make_pool

    for _ in range(pools):
        UsageImport.objects.create(file_name="r.json", format="xdmod", pool=make_pool(), outcome="succeeded")
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/inventory/usageimport/")
    assert response.status_code == 200


LFS_TEXT = (
    "Disk quotas for prj 10001 (pid 10001):\n"
    "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\n"
    "/lustre/scratch 1000 0 0 - 10 0 0 -\n"
)


def test_identical_upload_without_a_moment_adds_nothing_and_says_so(superuser_client, scratch):
    make_allocation(pool=scratch, quota_id="10001")
    first = superuser_client.post(
        IMPORT, {"report": SimpleUploadedFile("quota.txt", LFS_TEXT.encode()), "format": "lfs", "pool": "scratch"}
    )
    assert '<strong class="import-added">1</strong>' in first.content.decode()
    again = superuser_client.post(
        IMPORT, {"report": SimpleUploadedFile("again.txt", LFS_TEXT.encode()), "format": "lfs", "pool": "scratch"}
    )
    html = again.content.decode()
    earlier = UsageImport.objects.order_by("pk").first()
    when = earlier.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert f"again.txt: identical to the file imported on {when} as quota.txt: nothing added." in html
    assert "errornote" not in html
    assert UsageSample.objects.count() == 1
    assert UsageImport.objects.order_by("pk").last().messages[0].startswith("identical to the file imported on")


def test_upload_of_another_format_is_refused(superuser_client, scratch):
    upload = SimpleUploadedFile("report.json", b'[{"resource": "scratch"}]')
    response = superuser_client.post(IMPORT, {"report": upload, "format": "lfs", "pool": "scratch"})
    html = response.content.decode()
    assert "not `lfs quota` output: it looks like JSON" in html
    assert "Nothing was written" in html
    assert UsageImport.objects.get().outcome == "failed"


def test_upload_with_a_future_moment_is_refused(superuser_client, scratch):
    make_allocation(pool=scratch, quota_id="10001")
    upload = SimpleUploadedFile("quota.txt", LFS_TEXT.encode())
    response = superuser_client.post(
        IMPORT, {"report": upload, "format": "lfs", "pool": "scratch", "measured_at": "2031-01-01T00:00:00Z"}
    )
    assert "the moment (--measured-at) 2031-01-01T00:00:00Z is in the future" in response.content.decode()
    assert UsageSample.objects.count() == 0
