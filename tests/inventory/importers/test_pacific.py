import json

import pytest

from inventory.importers.pacific import parse
from tests.inventory.importers.conftest import errors_by_position

GIB = 1024**3


def response(*records, code=0, description=""):
    return json.dumps({"data": list(records), "result": {"code": code, "description": description}}).encode()


def quota(**overrides):
    base = {
        "id": 1,
        "parent_id": 101,
        "quota_type": 1,
        "space_unit_type": 0,
        "space_used": 100,
        "space_soft_quota": -1,
        "space_hard_quota": 2**64 - 1,
        "file_used": 5,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not ...}


def test_good_file_exact_bytes(sample):
    result = parse(sample("pacific_fs_quota.json"))
    assert result.errors == []
    first, second = result.records
    assert (first.position, first.quota_key, first.alternate_keys) == ("record 1 (id 11)", "101", ("11",))
    assert first.used_bytes == 30000 * GIB
    assert (first.soft_limit_bytes, first.hard_limit_bytes) == (46080 * GIB, 51200 * GIB)
    assert first.file_count == 4_200_000
    assert (first.pool, first.measured_at) == (None, None)
    # A named record is keyed on its name, then its parent id, then its own id.
    assert (second.quota_key, second.alternate_keys) == ("nn5678k", ("102", "12"))
    assert (second.used_bytes, second.soft_limit_bytes, second.hard_limit_bytes) == (123_456_789, None, None)
    assert [str(w) for w in result.warnings] == [
        "record 3 (id 13): skipped a group quota (quota_type 3): only directory quotas are allocations"
    ]


def test_bad_file(sample):
    result = parse(sample("pacific_bad.json"))
    errors = errors_by_position(result)
    assert errors["record 1"] == [
        "unknown space_unit_type 9: the known unit codes are 0 (bytes), 1 (KiB), 2 (MiB), 3 (GiB)"
    ]
    assert errors["record 2"] == ["space_used must be an integer, not a fractional number (1.5)"]
    assert errors["record 3"] == ["space_used must be an integer, not a boolean (true)"]
    assert errors["record 4"] == ["space_used must be a whole number written in digits, not '327.5 TB'"]
    assert errors["record 5"] == ["space_used is negative (-3)"]
    assert errors["record 6"][0] == "missing required field space_used"
    assert "space_soft_quota (3145728 B) is above space_hard_quota (2097152 B)" in errors["record 7"][0]
    assert errors["record 9"] == ["duplicates record 8 (quota 208)"]
    assert errors["record 6"][1:] == [
        "missing required field space_soft_quota (18446744073709551615, -1 or INVALID_VALUE64 for no limit)",
        "missing required field space_hard_quota (18446744073709551615, -1 or INVALID_VALUE64 for no limit)",
    ]


def test_error_envelope_rejects_the_file(sample):
    result = parse(sample("pacific_error.json"))
    assert [str(e) for e in result.errors] == [
        "the storage system answered with error code 33564678: The file system does not exist."
    ]


@pytest.mark.parametrize("name_field", ["parent_name", "dtree_name", "name"])
def test_name_fields(name_field):
    result = parse(response(quota(**{name_field: "nn1234k"})))
    assert (result.records[0].quota_key, result.records[0].alternate_keys) == ("nn1234k", ("101", "1"))


def test_limits_above_bigint_are_errors_but_the_sentinel_is_no_limit():
    result = parse(response(quota(space_hard_quota=2**64 - 1), quota(id=2, parent_id=102, space_hard_quota=2**63)))
    assert result.records[0].hard_limit_bytes is None
    assert [str(e) for e in result.errors] == [
        "record 2 (id 2): space_hard_quota 9223372036854775808 is too large: it does not fit a signed 64-bit integer"
    ]


def test_scaled_value_too_large():
    result = parse(response(quota(space_unit_type=3, space_used=2**40)))
    assert "space_used 1099511627776 is too large" in result.errors[0].reason


def test_conflicting_duplicate():
    result = parse(response(quota(), quota(id=2, space_used=101)))
    assert [str(e) for e in result.errors] == ["record 2 (id 2): conflicts with record 1 (quota 101)"]


def test_quota_keys_in_the_order_tried(sample):
    named = parse(sample("pacific_fs_quota.json")).records[1]
    assert named.quota_keys == ("nn5678k", "102", "12")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"data": [{"ID": "1", "SPACEUSED": "5", "QUOTATYPE": "1"}], "error": {"code": 0}}',
            "this is a DeviceManager FS_QUOTA response, not Pacific fs_quota",
        ),
        (b'{"data": [], "error": {"code": 0}}', "this is an OceanStor DeviceManager response"),
        (b'{"result": 0, "storagePools": []}', "this is a Pacific storagepool response, not fs_quota"),
        (b"Disk quotas for prj 1 (pid 1):", "not a Pacific fs_quota response: the file is not valid JSON"),
        (b"[]", "not a Pacific fs_quota response: an empty JSON array"),
    ],
)
def test_foreign_input_is_refused_by_name(content, message):
    result = parse(content)
    assert message in str(result.errors[0])
    assert result.records == []
