import json

import pytest

from inventory.importers.oceanstor import parse
from tests.inventory.importers.conftest import errors_by_position

GIB = 1024**3


def response(*records, code=0, description="0"):
    return json.dumps({"data": list(records), "error": {"code": code, "description": description}}).encode()


def quota(**overrides):
    base = {
        "ID": "1",
        "PARENTID": "0@1",
        "QUOTATYPE": "1",
        "SPACEUNITTYPE": "0",
        "SPACEUSED": "100",
        "SPACESOFTQUOTA": "-1",
        "SPACEHARDQUOTA": "18446744073709551615",
        "FILEUSED": "5",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not ...}


def test_good_file_without_quota_trees_keys_on_parent_id(sample):
    result = parse(sample("oceanstor_fs_quota.json"))
    assert result.errors == []
    first, second, third = result.records
    assert (first.position, first.quota_key, first.pool, first.measured_at) == ("record 1 (ID 1)", "0@1", None, None)
    assert first.used_bytes == 30000 * GIB
    assert first.soft_limit_bytes == 46080 * GIB
    assert first.hard_limit_bytes == 51200 * GIB
    assert first.file_count == 4_200_000
    # Both sentinels mean no limit.
    assert (second.used_bytes, second.soft_limit_bytes, second.hard_limit_bytes) == (123_456_789, None, None)
    assert (third.position, third.used_bytes, third.hard_limit_bytes) == ("record 4 (ID 4)", 1536 * 1024**2, 2 * GIB)
    assert all(record.limits_reported for record in result.records)
    assert [str(w) for w in result.warnings] == [
        "record 3 (ID 3): skipped a user quota (QUOTATYPE 2): only directory quotas are allocations"
    ]


def test_quota_trees_name_the_quotas(sample):
    result = parse(sample("oceanstor_fs_quota.json"), quota_trees=sample("oceanstor_quota_trees.json"))
    assert result.errors == []
    assert [(r.quota_key, r.alternate_keys) for r in result.records] == [
        ("nn1234k", ("0@1",)),
        ("nn5678k", ("1@1",)),
        ("nn9012k", ("2@1",)),
    ]


def test_quota_tree_missing_from_tree_file():
    trees = json.dumps({"data": [{"ID": "9@1", "NAME": "other"}], "error": {"code": 0}}).encode()
    result = parse(response(quota()), quota_trees=trees)
    assert [str(e) for e in result.errors] == [
        "record 1 (ID 1): quota tree 0@1 (PARENTID) is not in the quota-trees file"
    ]


def test_broken_quota_tree_file():
    result = parse(response(quota()), quota_trees=b'{"data": [], "error": {"code": 5, "description": "busy"}}')
    assert [str(e) for e in result.errors] == ["quota-trees file: the storage system answered with error code 5: busy"]


def test_error_envelope_rejects_the_file(sample):
    result = parse(sample("oceanstor_error.json"))
    assert result.records == []
    assert [str(e) for e in result.errors] == [
        "the storage system answered with error code 1077949069: The user has not logged in or the login has timed out."
    ]


def test_bad_file(sample):
    result = parse(sample("oceanstor_bad.json"))
    errors = errors_by_position(result)
    assert errors["record 1"] == [
        "unknown SPACEUNITTYPE '7': the known unit codes are 0 (bytes), 1 (KiB), 2 (MiB), 3 (GiB)"
    ]
    assert errors["record 2"] == ["SPACEUSED must be a whole number written in digits, not '327.5 TB'"]
    assert errors["record 3"] == ["SPACEUSED is negative (-1)"]
    assert errors["record 4"] == ["missing required field SPACEUSED"]
    assert errors["record 6"] == [
        "missing required field SPACESOFTQUOTA (18446744073709551615, -1 or INVALID_VALUE64 for no limit)",
        "missing required field SPACEHARDQUOTA (18446744073709551615, -1 or INVALID_VALUE64 for no limit)",
    ]
    assert "SPACESOFTQUOTA (21474836480 B) is above SPACEHARDQUOTA (10737418240 B)" in errors["record 5"][0]
    assert "too large" in errors["record 8"][0]


def test_data_may_be_a_single_object():
    document = {"data": quota(SPACEUSED="7"), "error": {"code": 0, "description": ""}}
    result = parse(json.dumps(document).encode())
    assert [(r.quota_key, r.used_bytes) for r in result.records] == [("0@1", 7)]


def test_conflicting_duplicate():
    result = parse(response(quota(), quota(ID="2", SPACEUSED="101")))
    assert [str(e) for e in result.errors] == ["record 2 (ID 2): conflicts with record 1 (quota 0@1)"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SPACEUSED": "1.5"}, "SPACEUSED must be a whole number written in digits, not '1.5'"),
        ({"SPACEUSED": 1.5}, "SPACEUSED must be an integer, not a fractional number (1.5)"),
        ({"SPACEUSED": True}, "SPACEUSED must be an integer, not a boolean (true)"),
        ({"SPACEHARDQUOTA": "-2"}, "SPACEHARDQUOTA is negative (-2)"),
        ({"SPACEUNITTYPE": "4"}, "unknown SPACEUNITTYPE '4'"),
        ({"SPACEUNITTYPE": ...}, "missing required field SPACEUNITTYPE"),
        ({"QUOTATYPE": "9"}, "unknown QUOTATYPE '9'"),
        ({"PARENTID": ...}, "missing required field PARENTID"),
        ({"FILEUSED": "1e3"}, "FILEUSED must be a whole number written in digits"),
    ],
)
def test_bad_values(overrides, message):
    result = parse(response(quota(**overrides)))
    assert len(result.errors) == 1, result.errors
    assert message in result.errors[0].reason


def test_units_apply_to_used_and_limits():
    result = parse(response(quota(SPACEUNITTYPE="1", SPACEUSED="3", SPACESOFTQUOTA="4", SPACEHARDQUOTA="5")))
    (item,) = result.records
    assert (item.used_bytes, item.soft_limit_bytes, item.hard_limit_bytes) == (3 * 1024, 4 * 1024, 5 * 1024)


def test_numbers_with_surrounding_whitespace_and_json_integers():
    result = parse(response(quota(SPACEUSED=" 100 ", FILEUSED=5, SPACEHARDQUOTA=18446744073709551615)))
    (item,) = result.records
    assert (item.used_bytes, item.file_count, item.hard_limit_bytes) == (100, 5, None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>login</html>", "not a DeviceManager FS_QUOTA response: the file is not valid JSON"),
        (b"", "not a DeviceManager FS_QUOTA response: the file is not valid JSON"),
        (b"[]", "not a DeviceManager FS_QUOTA response: an empty JSON array"),
        (b'[{"resource": "scratch", "mountpoint": "/a"}]', "record 1 has none of the fields SPACEUSED, QUOTATYPE"),
        (b'{"data": [{"id": 1, "space_used": 5}], "result": {"code": 0}}', "this is a Pacific fs_quota response"),
        (b'{"data": [], "result": {"code": 0}}', "this is an OceanStor Pacific response"),
        (b'{"error": {"code": 0}}', "the response has no data member"),
        (b'{"data": 5, "error": {"code": 0}}', "data is an integer"),
        (b'{"data": [], "error": {"code": "1077949069", "description": "x"}}', "error code 1077949069: x"),
    ],
)
def test_unreadable_envelopes(content, message):
    result = parse(content)
    assert len(result.errors) == 1
    assert message in result.errors[0].reason


def test_byte_order_mark():
    result = parse(b"\xef\xbb\xbf" + response(quota()))
    assert result.errors == []


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ({"ID": "0", "NAME": "pool0", "USERTOTALCAPACITY": "100", "USAGETYPE": "2"}, "storagepool"),
        ({"ID": "7", "NAME": "fs", "PARENTID": "0", "CAPACITY": "100", "ALLOCCAPACITY": "5"}, "filesystem"),
        ({"ID": "SN1", "MEMBERDISKSCAPACITY": "100", "SECTORSIZE": "512"}, "system"),
        ({"ID": "0@1", "NAME": "nn1234k", "PARENTID": "1"}, "QUOTATREE"),
    ],
)
def test_another_device_manager_response_is_named(record, kind):
    result = parse(json.dumps({"data": [record], "error": {"code": 0, "description": "0"}}).encode())
    assert [str(e) for e in result.errors] == [f"this is a DeviceManager {kind} response, not FS_QUOTA"]


def test_a_missing_limit_is_refused_only_a_sentinel_means_no_limit():
    result = parse(response(quota(SPACEHARDQUOTA=...)))
    assert [str(e) for e in result.errors] == [
        "record 1 (ID 1): missing required field SPACEHARDQUOTA (18446744073709551615, -1 or INVALID_VALUE64 "
        "for no limit)"
    ]
    (item,) = parse(response(quota(SPACEHARDQUOTA="INVALID_VALUE64"))).records
    assert (item.hard_limit_bytes, item.limits_reported) == (None, True)
