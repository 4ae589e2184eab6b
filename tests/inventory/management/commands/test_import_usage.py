"""manage.py import_usage through call_command: output, exit status and what lands in the database."""

import datetime
import io
import json
import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inventory.models import Allocation, PoolDailyUsage, UsageImport, UsageSample
from tests.inventory.factories import PB, TB, make_allocation, make_array, make_pool

SAMPLES = Path(__file__).parents[2] / "importers" / "samples"
UTC = datetime.UTC
KIB, GIB, TIB = 1024, 1024**3, 1024**4


def run(*args, **options):
    """Run the command; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_usage", *[str(a) for a in args], stdout=out, stderr=err, **options)
    except CommandError as error:
        err.write(str(error))
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content) if isinstance(content, str) else path.write_bytes(content)
    return path


def xdmod(*records):
    return json.dumps([{"user": "u", "pi": "p", "file_count": 1, **record} for record in records])


@pytest.fixture
def scratch(db):
    array = make_array(raw=4 * PB, usable=3 * PB)
    return make_pool(array=array, slug="scratch", capacity=2 * PB)


@pytest.fixture
def nn1234k(scratch):
    return make_allocation(pool=scratch, quota=440 * 10**12, quota_id="/lustre/scratch/nn1234k")


@pytest.fixture
def nn5678k(scratch):
    return make_allocation(pool=scratch, quota=100 * TB, quota_id="/lustre/scratch/nn5678k")


def samples_of(allocation):
    return list(
        UsageSample.objects.filter(allocation=allocation)
        .order_by("measured_at")
        .values_list(
            "measured_at", "used_bytes", "physical_used_bytes", "file_count", "soft_limit_bytes", "hard_limit_bytes"
        )
    )


def test_xdmod_good_file(nn1234k, nn5678k):
    status, out, err = run(SAMPLES / "xdmod_good.json", format="xdmod")
    assert status == 0, err
    assert err == ""
    assert "added 3, skipped 0 already present, 0 quota drift warnings" in out
    assert samples_of(nn1234k) == [
        (
            datetime.datetime(2025, 6, 1, tzinfo=UTC),
            327_500_000_000_000,
            218_333_333_333_333,
            4_200_000,
            400_000_000_000_000,
            440_000_000_000_000,
        ),
        (datetime.datetime(2025, 6, 2, 0, 0, 0, 250_000, tzinfo=UTC), 2**63 - 1, None, 4_200_100, None, None),
    ]
    assert samples_of(nn5678k) == [(datetime.datetime(2025, 6, 1, tzinfo=UTC), 0, None, 0, None, None)]
    nn1234k.refresh_from_db()
    assert nn1234k.used_bytes == 2**63 - 1
    assert nn1234k.usage_measured_at == datetime.datetime(2025, 6, 2, 0, 0, 0, 250_000, tzinfo=UTC)
    # The newest report of its limits (2025-06-02, both sentinels) says the array enforces no limit.
    assert nn1234k.enforced_quota_bytes is None
    assert nn1234k.enforced_quota_seen_at == datetime.datetime(2025, 6, 2, 0, 0, 0, 250_000, tzinfo=UTC)
    assert UsageSample.objects.filter(source="xdmod").count() == 3
    record = UsageImport.objects.get()
    assert (record.format, record.outcome, record.records, record.added, record.skipped) == (
        "xdmod",
        "succeeded",
        3,
        3,
        0,
    )
    assert record.file_name.endswith("xdmod_good.json")
    assert record.pool == nn1234k.pool  # the only pool the file names
    assert set(UsageSample.objects.values_list("usage_import", flat=True)) == {record.pk}
    # The daily rollups of the days touched were refreshed, and of the 6 days each day's values carry into.
    assert PoolDailyUsage.objects.filter(pool=nn1234k.pool).count() == 8


def test_same_file_twice_adds_nothing(nn1234k, nn5678k):
    assert run(SAMPLES / "xdmod_good.json", format="xdmod")[0] == 0
    status, out, err = run(SAMPLES / "xdmod_good.json", format="xdmod")
    assert status == 0, err
    assert "added 0, skipped 3 already present" in out
    assert UsageSample.objects.count() == 3
    assert list(UsageImport.objects.order_by("pk").values_list("added", "skipped")) == [(3, 0), (0, 3)]


def test_one_bad_record_writes_nothing(tmp_path, nn1234k, nn5678k):
    path = write(
        tmp_path,
        "mixed.json",
        xdmod(
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": 5,
            },
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn5678k",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": -5,
            },
        ),
    )
    status, out, err = run(path, format="xdmod")
    assert status == 1
    assert f"{path}: record 2 (mountpoint /lustre/scratch/nn5678k): logical_usage is negative (-5)" in err
    assert "1 of 1 file had errors; nothing was written from them" in err
    assert "1 error, nothing written" in out
    assert UsageSample.objects.count() == 0
    nn1234k.refresh_from_db()
    assert nn1234k.used_bytes is None
    failed = UsageImport.objects.get()
    assert (failed.outcome, failed.error_count, failed.added) == ("failed", 1, 0)
    assert failed.messages == ["record 2 (mountpoint /lustre/scratch/nn5678k): logical_usage is negative (-5)"]


def test_every_error_of_the_bad_file_is_printed(scratch):
    status, _, err = run(SAMPLES / "xdmod_bad.json", format="xdmod")
    assert status == 1
    lines = [line for line in err.splitlines() if ": record " in line]
    positions = [line.split(": ")[1].split(" (")[0] for line in lines]
    assert positions == [f"record {n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 12)]
    # Record 7 is fine but names a quota id no allocation has.
    assert (
        "record 7 (mountpoint /lustre/scratch/g): unknown quota id '/lustre/scratch/g': no allocation on pool scratch"
        in err
    )


def test_unknown_pool_and_quota_ids_are_named(tmp_path, nn1234k):
    path = write(
        tmp_path,
        "unknown.json",
        xdmod(
            {"resource": "scratchy", "mountpoint": "/x", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1},
            {"resource": "scratchy", "mountpoint": "/y", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1},
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nobody",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": 1,
            },
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": 1,
            },
        ),
    )
    status, _, err = run(path, format="xdmod")
    assert status == 1
    assert (
        f"{path}: record 1 (mountpoint /x): unknown pool 'scratchy': no storage pool has this slug (and 1 more record)"
        in err
    )
    assert (
        f"{path}: record 3 (mountpoint /lustre/scratch/nobody): unknown quota id '/lustre/scratch/nobody': no allocation on pool scratch has it"
        in err
    )
    assert UsageSample.objects.count() == 0


def test_conflicting_reimport_is_refused(tmp_path, nn1234k):
    first = write(
        tmp_path,
        "a.json",
        xdmod(
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": 10**12,
            }
        ),
    )
    second = write(
        tmp_path,
        "b.json",
        xdmod(
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-01T00:00:00+00:00",
                "logical_usage": 2 * 10**12,
            }
        ),
    )
    assert run(first, format="xdmod")[0] == 0
    status, _, err = run(second, format="xdmod")
    assert status == 1
    assert (
        f"{second}: record 1 (mountpoint /lustre/scratch/nn1234k): conflicts with the stored sample of 2025-06-01T00:00:00Z for /lustre/scratch/nn1234k: "
        "used 1000000000000 B (1.00 TB) stored, 2000000000000 B (2.00 TB) in this file"
    ) in err
    assert [s[1] for s in samples_of(nn1234k)] == [10**12]


def test_dry_run_writes_nothing(nn1234k, nn5678k):
    status, out, err = run(SAMPLES / "xdmod_good.json", format="xdmod", dry_run=True)
    assert status == 0, err
    assert "would add 3, skipped 0 already present, 0 quota drift warnings (dry run: nothing written)" in out
    assert UsageSample.objects.count() == 0
    nn1234k.refresh_from_db()
    assert (nn1234k.used_bytes, nn1234k.enforced_quota_bytes) == (None, None)
    assert UsageImport.objects.get().outcome == "dry_run"


def test_dry_run_reports_errors_too(scratch):
    status, out, err = run(SAMPLES / "xdmod_bad.json", format="xdmod", dry_run=True)
    assert status == 1
    assert "record 1 (mountpoint /lustre/scratch/a): logical_usage is negative (-5)" in err


def test_quota_drift_reported_and_stored(tmp_path, scratch):
    allocation = make_allocation(pool=scratch, quota=40 * TB, quota_id="10001")
    path = write(
        tmp_path,
        "q.txt",
        "Disk quotas for prj 10001 (pid 10001):\n"
        "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\n"
        "/lustre/scratch 1000 0 48828125000 - 10 0 0 -\n",
    )
    status, out, err = run(path, format="lfs", pool="scratch", measured_at="2026-11-01T00:00:00Z")
    assert status == 0, err
    assert (
        f"{path}: line 3 (project 10001): warning: quota drift on 10001: the array enforces 50.0 TB but the allocation promises 40.0 TB"
        in err
    )
    assert "added 1, skipped 0 already present, 1 quota drift warning" in out
    allocation.refresh_from_db()
    assert allocation.enforced_quota_bytes == 50 * TB
    assert allocation.quota_drift_bytes == 10 * TB
    assert allocation.enforced_quota_seen_at == datetime.datetime(2026, 11, 1, tzinfo=UTC)
    assert UsageImport.objects.get().drift_warnings == 1


def test_latest_usage_only_moves_forward(tmp_path, nn1234k):
    newer = write(
        tmp_path,
        "new.json",
        xdmod(
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-02T00:00:00Z",
                "logical_usage": 2000,
                "file_count": 2,
            }
        ),
    )
    older = write(
        tmp_path,
        "old.json",
        xdmod(
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": 1000,
                "file_count": 1,
            }
        ),
    )
    assert run(newer, format="xdmod")[0] == 0
    assert run(older, format="xdmod")[0] == 0
    nn1234k.refresh_from_db()
    assert (nn1234k.used_bytes, nn1234k.file_count) == (2000, 2)
    assert nn1234k.usage_measured_at == datetime.datetime(2025, 6, 2, tzinfo=UTC)
    assert len(samples_of(nn1234k)) == 2


def test_lfs_plain_and_human(scratch):
    for quota_id in ("10001", "10002", "10003", "10004", "10005"):
        make_allocation(pool=scratch, quota=60 * TB, quota_id=quota_id)
    status, out, err = run(SAMPLES / "lfs_plain.txt", format="lfs", pool="scratch", measured_at="2026-11-01T00:00:00Z")
    assert status == 0, err
    assert "added 3" in out
    assert "line 11 (project 10003): warning: over a quota (marked * by lfs)" in err
    status, out, err = run(
        SAMPLES / "lfs_human.txt", format="lfs", pool="scratch", measured_at="2026-11-02T00:00:00+01:00"
    )
    assert status == 0, err
    first = Allocation.objects.get(quota_id="10001")
    assert samples_of(first) == [
        (
            datetime.datetime(2026, 11, 1, tzinfo=UTC),
            30_000_000_000 * KIB,
            None,
            4_200_000,
            48_318_382_080 * KIB,
            53_687_091_200 * KIB,
        ),
        (datetime.datetime(2026, 11, 1, 23, tzinfo=UTC), 30_720_354_880_061, None, 4_200_000, 45 * TIB, 50 * TIB),
    ]
    assert (
        "line 9 (project 10005): warning: quota drift on 10005: the array enforces 1.61 GB but the allocation promises 60.0 TB"
        in err
    )


def test_lfs_needs_a_pool(tmp_path, scratch):
    status, _, err = run(SAMPLES / "lfs_plain.txt", format="lfs")
    assert status == 1
    assert (
        "line 3 (project 10001): no pool: the lfs format does not name one; give the pool (--pool) (and 2 more records)"
        in err
    )


def test_unknown_pool_option(scratch):
    status, _, err = run(SAMPLES / "lfs_plain.txt", format="lfs", pool="nowhere")
    assert status == 1
    assert "unknown pool 'nowhere' (--pool): no storage pool has this slug" in err


def test_measured_at_needs_a_zone(scratch):
    with pytest.raises(CommandError, match="has no time zone"):
        call_command(
            "import_usage",
            str(SAMPLES / "lfs_plain.txt"),
            format="lfs",
            pool="scratch",
            measured_at="2026-11-01T00:00:00",
        )


def test_oceanstor_with_quota_trees(scratch):
    for name in ("nn1234k", "nn5678k", "nn9012k"):
        make_allocation(pool=scratch, quota=50 * TIB, quota_id=name)
    status, out, err = run(
        SAMPLES / "oceanstor_fs_quota.json",
        format="oceanstor",
        pool="scratch",
        quota_trees=SAMPLES / "oceanstor_quota_trees.json",
        measured_at="2026-11-01T00:00:00Z",
    )
    assert status == 0, err
    assert "record 3 (ID 3): warning: skipped a user quota (QUOTATYPE 2)" in err
    # nn1234k's 51200 GiB hard limit is its 50 TiB quota; nn9012k's 2 GiB is not.
    assert "added 3, skipped 0 already present, 1 quota drift warning" in out
    assert "record 4 (ID 4): warning: quota drift on nn9012k: the array enforces 2.15 GB" in err
    assert samples_of(Allocation.objects.get(quota_id="nn1234k")) == [
        (datetime.datetime(2026, 11, 1, tzinfo=UTC), 30000 * GIB, None, 4_200_000, 46080 * GIB, 51200 * GIB)
    ]
    assert Allocation.objects.get(quota_id="nn1234k").quota_drift_bytes == 0
    assert Allocation.objects.get(quota_id="nn9012k").enforced_quota_bytes == 2 * GIB


def test_oceanstor_without_quota_trees_matches_tree_ids(scratch):
    make_allocation(pool=scratch, quota=50 * TIB, quota_id="0@1")
    make_allocation(pool=scratch, quota=50 * TIB, quota_id="1@1")
    make_allocation(pool=scratch, quota=50 * TIB, quota_id="2@1")
    status, out, err = run(SAMPLES / "oceanstor_fs_quota.json", format="oceanstor", pool="scratch")
    assert status == 0, err
    assert UsageSample.objects.count() == 3


def test_oceanstor_error_envelope(scratch):
    status, _, err = run(SAMPLES / "oceanstor_error.json", format="oceanstor", pool="scratch")
    assert status == 1
    assert "oceanstor_error.json: the storage system answered with error code 1077949069" in err


def test_quota_trees_only_for_oceanstor(scratch):
    with pytest.raises(CommandError, match="--quota-trees applies to --format oceanstor only"):
        call_command(
            "import_usage",
            str(SAMPLES / "lfs_plain.txt"),
            format="lfs",
            quota_trees=str(SAMPLES / "oceanstor_quota_trees.json"),
        )


def test_pacific_alternate_keys(scratch):
    by_id = make_allocation(pool=scratch, quota=50 * TIB, quota_id="11")  # the quota's own id
    by_name = make_allocation(pool=scratch, quota=50 * TIB, quota_id="nn5678k")
    status, out, err = run(
        SAMPLES / "pacific_fs_quota.json", format="pacific", pool="scratch", measured_at="2026-11-01T00:00:00Z"
    )
    assert status == 0, err
    assert samples_of(by_id)[0][1] == 30000 * GIB
    assert samples_of(by_name)[0][1] == 123_456_789


def test_csv(tmp_path, nn1234k, nn5678k):
    status, out, err = run(SAMPLES / "csv_good.csv", format="csv")
    assert status == 0, err
    assert [s[:2] for s in samples_of(nn1234k)] == [
        (datetime.datetime(2025, 6, 1, tzinfo=UTC), 310 * 10**12),
        (datetime.datetime(2025, 6, 2, tzinfo=UTC), 123_456_789),
    ]
    assert samples_of(nn5678k)[0][1] == 1_649_267_441_664
    # The newest report of nn1234k's limits (2025-06-02) says "no limit" (-1): no drift, nothing enforced.
    assert "quota drift" not in err
    nn1234k.refresh_from_db()
    assert nn1234k.enforced_quota_bytes is None
    assert UsageSample.objects.filter(allocation=nn1234k, limits_reported=True).count() == 2


def test_csv_pool_from_option(tmp_path, scratch):
    make_allocation(pool=scratch, quota=10 * TB, quota_id="10001")
    status, out, err = run(SAMPLES / "csv_no_pool.csv", format="csv", pool="scratch")
    assert status == 0, err
    assert UsageSample.objects.get().used_bytes == 5 * 10**9


def test_several_files_each_atomic(tmp_path, nn1234k):
    good = write(
        tmp_path,
        "good.json",
        xdmod(
            {
                "resource": "scratch",
                "mountpoint": "/lustre/scratch/nn1234k",
                "dt": "2025-06-01T00:00:00Z",
                "logical_usage": 1,
            }
        ),
    )
    bad = write(tmp_path, "bad.json", "[{]")
    missing = tmp_path / "missing.json"
    status, out, err = run(good, bad, missing, format="xdmod")
    assert status == 1
    assert f"{bad}: not an Open XDMoD storage file: the file is not valid JSON" in err
    assert f"{missing}: no such file" in err
    assert "2 of 3 files had errors" in err
    assert f"{good}: added 1" in out
    assert UsageSample.objects.count() == 1


def test_same_sample_named_twice_through_alternate_keys(tmp_path, scratch):
    make_allocation(pool=scratch, quota=10 * TB, quota_id="/p")
    path = write(
        tmp_path,
        "twice.json",
        xdmod(
            {"resource": "scratch", "mountpoint": "/p", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1},
            {"resource": "scratch", "mountpoint": "/p/", "dt": "2025-06-01T00:00:00Z", "logical_usage": 1},
        ),
    )
    status, _, err = run(path, format="xdmod")
    assert status == 1
    assert "record 2 (mountpoint /p/): duplicates record 1 (the same allocation and moment)" in err


def test_progress_only_on_a_terminal(nn1234k, nn5678k):
    status, out, err = run(SAMPLES / "xdmod_good.json", format="xdmod")
    assert "reading" not in err


def test_copy_of_sample_directory_is_not_needed(tmp_path, nn1234k, nn5678k):
    # A file given by a relative-looking path with a different name is recorded under that name.
    copy = tmp_path / "june.json"
    shutil.copy(SAMPLES / "xdmod_good.json", copy)
    assert run(copy, format="xdmod")[0] == 0
    assert UsageImport.objects.get().file_name == str(copy)


# serialized_rollback: the flush after a transactional test would otherwise drop the roles the migrations made.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_the_same_file_at_once_do_not_double_insert(tmp_path):
    pool = make_pool(array=make_array(raw=4 * PB, usable=3 * PB), slug="scratch", capacity=2 * PB)
    for n in range(50):
        make_allocation(pool=pool, quota=TB, quota_id=f"/p/{n}")
    records = [
        {"resource": "scratch", "mountpoint": f"/p/{n}", "dt": f"2025-06-{day:02d}T00:00:00Z", "logical_usage": n}
        for n in range(50)
        for day in range(1, 21)
    ]
    path = write(tmp_path, "both.json", xdmod(*records))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(run(path, format="xdmod"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _, _ in results] == [0, 0], results
    assert UsageSample.objects.count() == 1000
    assert sorted(UsageImport.objects.values_list("added", "skipped")) == [(0, 1000), (1000, 0)]
