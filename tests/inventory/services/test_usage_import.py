"""The usage import service: query counts, moments, refusals and what an import records."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import UsageImport, UsageSample
from inventory.services.usage_import import STORED_MESSAGES, import_usage_file
from tests.inventory.factories import PB, TB, make_allocation, make_array, make_pool

pytestmark = pytest.mark.django_db

LFS = (
    "Disk quotas for prj 10001 (pid 10001):\n"
    "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\n"
    "/lustre/scratch 1000 0 0 - 10 0 0 -\n"
)


@pytest.fixture
def pool():
    return make_pool(array=make_array(raw=4 * PB, usable=3 * PB), slug="scratch", capacity=2 * PB)


def xdmod_file(count: int, day: int = 1) -> bytes:
    return json.dumps(
        [
            {
                "resource": "scratch",
                "mountpoint": f"/p/{n}",
                "user": "u",
                "pi": "p",
                "dt": f"2025-06-{day:02d}T00:00:00Z",
                "file_count": n,
                "logical_usage": n * 1000,
            }
            for n in range(count)
        ]
    ).encode()


def test_queries_do_not_grow_with_the_file(pool):
    for n in range(300):
        make_allocation(pool=pool, quota=TB, quota_id=f"/p/{n}")
    with CaptureQueriesContext(connection) as small:
        outcome = import_usage_file(path_or_file=xdmod_file(10), file_name="small.json", format="xdmod")
    assert outcome.added == 10
    with CaptureQueriesContext(connection) as large:
        outcome = import_usage_file(path_or_file=xdmod_file(300, day=2), file_name="large.json", format="xdmod")
    assert outcome.added == 300
    assert len(large.captured_queries) == len(small.captured_queries)


def test_default_moment_is_now_in_utc(pool):
    make_allocation(pool=pool, quota=TB, quota_id="10001")
    before = timezone.now().replace(microsecond=0)
    outcome = import_usage_file(path_or_file=LFS.encode(), file_name="q.txt", format="lfs", pool_slug="scratch")
    assert outcome.ok, outcome.errors
    sample = UsageSample.objects.get()
    assert before <= sample.measured_at <= timezone.now()
    assert sample.measured_at.utcoffset() == datetime.timedelta(0)
    assert (sample.used_bytes, sample.source) == (1000 * 1024, "lfs")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"measured_at": datetime.datetime(2026, 1, 1)}, "must carry a time zone"),
        ({"format": "nfs"}, "unknown format 'nfs': choose one of xdmod, lfs, oceanstor, pacific, csv"),
        ({"quota_trees": b"{}"}, "a quota-trees file applies to the oceanstor format only, not lfs"),
        ({"pool_slug": "nowhere"}, "unknown pool 'nowhere' (--pool)"),
    ],
)
def test_refused_options_are_recorded(pool, options, message):
    arguments = {"path_or_file": LFS.encode(), "file_name": "q.txt", "format": "lfs", "pool_slug": "scratch"}
    outcome = import_usage_file(**{**arguments, **options})
    assert not outcome.ok
    assert message in str(outcome.errors[0])
    assert UsageImport.objects.get().outcome == "failed"
    assert UsageSample.objects.count() == 0


def test_stored_messages_are_capped(pool):
    bad = json.dumps([{"resource": "scratch"}] * (STORED_MESSAGES + 5)).encode()
    outcome = import_usage_file(path_or_file=bad, file_name="bad.json", format="xdmod")
    # Each record misses six fields: every problem is reported, a thousand are kept on the import.
    assert len(outcome.errors) == 6 * (STORED_MESSAGES + 5)
    record = UsageImport.objects.get()
    assert record.error_count == len(outcome.errors)
    assert len(record.messages) == STORED_MESSAGES + 1
    assert record.messages[-1] == f"... and {len(outcome.errors) - STORED_MESSAGES} more"


def test_mixed_case_resource_matches_the_slug(pool):
    make_allocation(pool=pool, quota=TB, quota_id="/p/0")
    data = xdmod_file(1).replace(b'"scratch"', b'"Scratch"')
    outcome = import_usage_file(path_or_file=data, file_name="x.json", format="xdmod")
    assert outcome.ok, outcome.errors
    assert outcome.added == 1


def test_upload_already_read_is_read_from_the_start(pool, tmp_path):
    make_allocation(pool=pool, quota=TB, quota_id="/p/0")
    path = tmp_path / "x.json"
    path.write_bytes(xdmod_file(1))
    with path.open("rb") as handle:
        handle.read()
        outcome = import_usage_file(path_or_file=handle, file_name="x.json", format="xdmod")
    assert outcome.added == 1


def test_records_from_a_collector_go_through_the_same_checks(pool):
    from inventory.importers import UsageRecord
    from inventory.services.usage_import import import_usage_records

    allocation = make_allocation(pool=pool, quota=TB, quota_id="0@1")
    records = [
        UsageRecord("record 1 (ID 1)", None, "0@1", None, 5, None, 1, None, None, True),
        UsageRecord("record 2 (ID 2)", None, "9@9", None, 5, None, 1, None, None, True),
    ]
    outcome = import_usage_records(
        records=records, file_name="array-1 FS_QUOTA", format="oceanstor", pool_slug="scratch"
    )
    assert [str(e) for e in outcome.errors] == [
        "record 2 (ID 2): unknown quota id '9@9': no allocation on pool scratch has it"
    ]
    assert UsageSample.objects.count() == 0
    outcome = import_usage_records(
        records=records[:1], file_name="array-1 FS_QUOTA", format="oceanstor", pool_slug="scratch"
    )
    assert outcome.ok and outcome.added == 1
    sample = UsageSample.objects.get()
    assert (sample.allocation_id, sample.limits_reported, sample.source) == (allocation.pk, True, "oceanstor")
    assert UsageImport.objects.order_by("pk").last().sha256 == ""
