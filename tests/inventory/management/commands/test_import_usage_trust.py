"""manage.py import_usage: figures that can be trusted (issue 9).

Future moments are refused, every format re-imported adds nothing, each format refuses a file that is not
that format, limits come only from explicit sentinels, rounded `lfs quota -h` figures are flagged, and every
error names the record by its own identity.
"""

import datetime
import json

import pytest
from django.utils import timezone

from inventory.models import Allocation, UsageImport, UsageSample
from tests.inventory.factories import PB, TB, make_allocation, make_array, make_pool
from tests.inventory.management.commands.test_import_usage import SAMPLES, run, write

UTC = datetime.UTC

LFS = (
    "Disk quotas for prj 10001 (pid 10001):\n"
    "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace\n"
    "/lustre/scratch {used} 0 {limit} - 10 0 0 -\n"
)


@pytest.fixture
def scratch(db):
    return make_pool(array=make_array(raw=4 * PB, usable=3 * PB), slug="scratch", capacity=2 * PB)


@pytest.fixture
def project(scratch):
    return make_allocation(pool=scratch, quota=40 * TB, quota_id="10001")


def xdmod_record(dt, **extra):
    return {
        "resource": "scratch",
        "mountpoint": "10001",
        "user": "u",
        "pi": "p",
        "dt": dt,
        "file_count": 1,
        "logical_usage": 5,
        **extra,
    }


# --- 5. moments in the future ---------------------------------------------------------------------------


def test_a_sample_dated_in_the_future_is_refused(tmp_path, project):
    path = write(tmp_path, "f.json", json.dumps([xdmod_record("2031-01-01T00:00:00Z")]))
    status, out, err = run(path, format="xdmod")
    assert status == 1
    assert f"{path}: record 1 (mountpoint 10001): measured at 2031-01-01T00:00:00Z is in the future" in err
    assert "at most 5 minutes of clock skew is allowed" in err
    assert UsageSample.objects.count() == 0


def test_a_little_clock_skew_is_accepted(tmp_path, project, settings):
    soon = (timezone.now() + datetime.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = write(tmp_path, "soon.json", json.dumps([xdmod_record(soon)]))
    assert run(path, format="xdmod")[0] == 0
    settings.CAPACITY_CLOCK_SKEW_SECONDS = 60
    later = (timezone.now() + datetime.timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = write(tmp_path, "later.json", json.dumps([xdmod_record(later)]))
    status, _, err = run(path, format="xdmod")
    assert status == 1
    assert "at most 1 minute of clock skew is allowed" in err


def test_a_future_measured_at_is_refused(tmp_path, project):
    path = write(tmp_path, "q.txt", LFS.format(used=1000, limit=0))
    status, _, err = run(path, format="lfs", pool="scratch", measured_at="2031-01-01T00:00:00Z")
    assert status == 1
    assert "the moment (--measured-at) 2031-01-01T00:00:00Z is in the future" in err
    assert UsageSample.objects.count() == 0


# --- 6. importing the same file again adds nothing, in every format ---------------------------------------


def _oceanstor(project_id):
    return json.dumps(
        {
            "data": [
                {
                    "ID": "1",
                    "PARENTID": project_id,
                    "QUOTATYPE": "1",
                    "SPACEUNITTYPE": "0",
                    "SPACEUSED": "100",
                    "SPACESOFTQUOTA": "-1",
                    "SPACEHARDQUOTA": "-1",
                    "FILEUSED": "1",
                }
            ],
            "error": {"code": 0, "description": "0"},
        }
    )


def _pacific(project_id):
    return json.dumps(
        {
            "data": [
                {
                    "id": 1,
                    "parent_id": int(project_id),
                    "quota_type": 1,
                    "space_unit_type": 0,
                    "space_used": 100,
                    "space_soft_quota": 2**64 - 1,
                    "space_hard_quota": 2**64 - 1,
                }
            ],
            "result": {"code": 0, "description": ""},
        }
    )


FILES = {
    "xdmod": lambda: json.dumps([xdmod_record("2025-06-01T00:00:00Z")]),
    "csv": lambda: "pool,quota_id,measured_at,used_bytes\nscratch,10001,2025-06-01T00:00:00Z,5\n",
    "lfs": lambda: LFS.format(used=1000, limit=0),
    "oceanstor": lambda: _oceanstor("10001"),
    "pacific": lambda: _pacific("10001"),
}


@pytest.mark.parametrize("fmt", list(FILES))
def test_the_same_file_imported_again_adds_nothing(tmp_path, project, fmt):
    path = write(tmp_path, f"report.{fmt}", FILES[fmt]())
    pool = {} if fmt in ("xdmod", "csv") else {"pool": "scratch"}
    status, out, err = run(path, format=fmt, **pool)
    assert status == 0, err
    assert "added 1" in out
    again = write(tmp_path, "renamed", FILES[fmt]())
    status, out, err = run(again, format=fmt, **pool)
    assert status == 0, err
    assert UsageSample.objects.count() == 1
    first, second = UsageImport.objects.order_by("pk")
    assert first.sha256 == second.sha256 and len(first.sha256) == 64
    if fmt in ("xdmod", "csv"):
        assert "added 0, skipped 1 already present" in out
    else:
        when = first.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        assert f"{again}: identical to the file imported on {when} as {path}: nothing added" in out


def test_an_explicit_moment_bypasses_the_digest(tmp_path, project):
    path = write(tmp_path, "q.txt", LFS.format(used=1000, limit=0))
    assert run(path, format="lfs", pool="scratch", measured_at="2026-11-01T00:00:00Z")[0] == 0
    status, out, _ = run(path, format="lfs", pool="scratch", measured_at="2026-11-01T00:00:00Z")
    assert (status, "added 0, skipped 1 already present" in out) == (0, True)
    status, out, _ = run(path, format="lfs", pool="scratch", measured_at="2026-11-02T00:00:00Z")
    assert (status, "added 1" in out) == (0, True)
    assert UsageSample.objects.count() == 2


def test_the_same_content_into_another_pool_is_imported(tmp_path, project, scratch):
    other = make_pool(array=scratch.array, slug="other", capacity=PB)
    make_allocation(pool=other, quota=TB, quota_id="10001")
    path = write(tmp_path, "q.txt", LFS.format(used=1000, limit=0))
    assert run(path, format="lfs", pool="scratch")[0] == 0
    status, out, _ = run(path, format="lfs", pool="other")
    assert (status, "added 1" in out) == (0, True)


# --- 7. each format checks that the file is that format -----------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("lfs", json.dumps([xdmod_record("2025-06-01T00:00:00Z")]), "not `lfs quota` output: it looks like JSON"),
        ("lfs", "pool,quota_id,measured_at,used_bytes\n", "not `lfs quota` output: it looks like CSV"),
        ("lfs", "[]", "not `lfs quota` output"),
        ("lfs", "", "not `lfs quota` output: the file is empty"),
        ("xdmod", LFS.format(used=1, limit=0), "not an Open XDMoD storage file: the file is not valid JSON"),
        ("xdmod", "[]", "not an Open XDMoD storage file: the array holds no usage records"),
        ("csv", "quota,used\n10001,5\n", "line 1: not a usage CSV file: the header lacks the columns quota_id"),
        ("pacific", _oceanstor("10001"), "this is a DeviceManager FS_QUOTA response, not Pacific fs_quota"),
        ("oceanstor", _pacific("10001"), "this is a Pacific fs_quota response, not DeviceManager FS_QUOTA"),
        (
            "oceanstor",
            json.dumps({"data": [{"ID": "0", "NAME": "p0", "USERTOTALCAPACITY": "8"}], "error": {"code": 0}}),
            "this is a DeviceManager storagepool response, not FS_QUOTA",
        ),
        (
            "oceanstor",
            json.dumps({"data": {"ID": "SN", "MEMBERDISKSCAPACITY": "8", "SECTORSIZE": "512"}, "error": {"code": 0}}),
            "this is a DeviceManager system response, not FS_QUOTA",
        ),
    ],
)
def test_a_file_of_another_format_is_refused(tmp_path, project, fmt, content, message):
    path = write(tmp_path, "report", content)
    pool = {} if fmt in ("xdmod", "csv") else {"pool": "scratch"}
    status, out, err = run(path, format=fmt, **pool)
    assert status == 1
    assert f"{path}: {message}" in err
    assert "nothing written" in out
    assert UsageSample.objects.count() == 0


# --- 8. limits: required, explicit sentinels, limits_reported ---------------------------------------------


def test_a_missing_limit_is_refused_naming_the_record(tmp_path, project):
    document = json.loads(_oceanstor("10001"))
    del document["data"][0]["SPACEHARDQUOTA"]
    path = write(tmp_path, "q.json", json.dumps(document))
    status, _, err = run(path, format="oceanstor", pool="scratch")
    assert status == 1
    assert f"{path}: record 1 (ID 1): missing required field SPACEHARDQUOTA" in err
    assert UsageSample.objects.count() == 0


def test_limits_reported_is_stored_and_no_limit_clears_an_enforced_one(tmp_path, project):
    limited = write(tmp_path, "a.txt", LFS.format(used=1000, limit=48828125000))
    assert run(limited, format="lfs", pool="scratch", measured_at="2026-11-01T00:00:00Z")[0] == 0
    project.refresh_from_db()
    assert project.enforced_quota_bytes == 50 * TB
    unlimited = write(tmp_path, "b.txt", LFS.format(used=1000, limit=0))
    assert run(unlimited, format="lfs", pool="scratch", measured_at="2026-11-02T00:00:00Z")[0] == 0
    project.refresh_from_db()
    assert project.enforced_quota_bytes is None  # lfs said "no limit" (0)
    silent = write(tmp_path, "c.json", json.dumps([xdmod_record("2026-11-03T00:00:00Z")]))
    assert run(silent, format="xdmod")[0] == 0
    assert list(UsageSample.objects.order_by("measured_at").values_list("limits_reported", flat=True)) == [
        True,
        True,
        False,
    ]
    project.refresh_from_db()
    assert project.enforced_quota_seen_at == datetime.datetime(2026, 11, 2, tzinfo=UTC)  # xdmod said nothing


# --- 9. rounded lfs -h figures ------------------------------------------------------------------------------


def test_lfs_human_figures_are_imported_with_a_warning(scratch):
    for quota_id in ("10001", "10004", "10005"):
        make_allocation(pool=scratch, quota=50 * 2**40, quota_id=quota_id)
    status, out, err = run(SAMPLES / "lfs_human.txt", format="lfs", pool="scratch")
    assert status == 0, err
    assert (
        "lfs_human.txt: warning: figures from `lfs quota -h` are rounded by lfs (27.94T is ±5.12 GiB); "
        "use plain `lfs quota` for exact bytes"
    ) in err
    assert Allocation.objects.get(quota_id="10001").used_bytes == 30_720_354_880_061


# --- 10. errors name the record's own identity ------------------------------------------------------------


def test_not_utf8_names_the_line(tmp_path, project):
    path = write(tmp_path, "q.txt", LFS.format(used=1000, limit=0).encode() + b"caf\xe9\n")
    status, _, err = run(path, format="lfs", pool="scratch")
    assert status == 1
    assert f"{path}: line 4: not UTF-8 (byte 0xe9 at column 4 cannot be decoded)" in err


def test_errors_name_the_quota(tmp_path, project):
    path = write(tmp_path, "q.txt", LFS.format(used=-5, limit=0))
    status, _, err = run(path, format="lfs", pool="scratch")
    assert status == 1
    assert f"{path}: line 3 (project 10001): used is negative (-5)" in err
