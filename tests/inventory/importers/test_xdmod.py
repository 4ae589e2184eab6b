import json
from datetime import UTC, datetime

import pytest

from inventory.importers import FORMATS
from inventory.importers.xdmod import parse
from tests.inventory.importers.conftest import errors_by_position


def record(**overrides):
    base = {
        "resource": "scratch",
        "mountpoint": "/lustre/scratch/nn1234k",
        "user": "jdoe",
        "pi": "pi_jane",
        "dt": "2025-06-01T00:00:00Z",
        "file_count": 10,
        "logical_usage": 1000,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not ...}


def parse_records(*records):
    return parse(json.dumps(list(records)).encode())


def test_good_file_exact_bytes(sample):
    result = FORMATS["xdmod"].read(sample("xdmod_good.json"))
    assert result.errors == []
    first, second, third = result.records
    assert first.position == "record 1 (mountpoint /lustre/scratch/nn1234k)"
    assert (first.limits_reported, second.limits_reported, third.limits_reported) == (True, False, True)
    assert first.pool == "scratch"
    assert first.quota_key == "/lustre/scratch/nn1234k"
    assert first.measured_at == datetime(2025, 6, 1, tzinfo=UTC)
    assert first.used_bytes == 327_500_000_000_000
    assert first.physical_used_bytes == 218_333_333_333_333
    assert first.file_count == 4_200_000
    assert first.soft_limit_bytes == 400_000_000_000_000
    assert first.hard_limit_bytes == 440_000_000_000_000
    assert (second.used_bytes, second.physical_used_bytes, second.soft_limit_bytes) == (0, None, None)
    assert second.measured_at == datetime(2025, 6, 1, tzinfo=UTC)
    # The largest value a bigint column holds is accepted; the sentinels mean "no limit".
    assert third.used_bytes == 2**63 - 1
    assert third.measured_at == datetime(2025, 6, 2, 0, 0, 0, 250_000, tzinfo=UTC)
    assert (third.soft_limit_bytes, third.hard_limit_bytes) == (None, None)
    for item in result.records:
        assert type(item.used_bytes) is int


def test_bad_file_reports_every_record(sample):
    result = parse(sample("xdmod_bad.json"))
    errors = errors_by_position(result)
    assert errors["record 1"] == ["logical_usage is negative (-5)"]
    assert "not a string ('327.5 TB')" in errors["record 2"][0]
    assert errors["record 3"] == ["missing required field logical_usage"]
    assert "has no time zone" in errors["record 4"][0]
    assert "'2025-06-01T02:00:00+02:00' is not in UTC" in errors["record 5"][0]
    assert errors["record 6"] == ["soft_threshold 100 is above hard_threshold 50"]
    assert errors["record 8"][0].startswith("duplicates record 7")
    assert errors["record 9"][0].startswith("conflicts with record 7")
    assert "logical_usage 18446744073709551615 is too large" in errors["record 10"][0]
    assert errors["record 11"] == [
        "file_count must be an integer, not a boolean (true)",
        "logical_usage must be an integer number of bytes, not a fractional number (1500000000000.0)",
    ]
    assert errors["record 12"] == ["is a string, not a JSON object"]
    assert [r.position for r in result.records] == ["record 7 (mountpoint /lustre/scratch/g)"]


@pytest.mark.parametrize("name", ["resource", "mountpoint", "user", "pi", "dt", "file_count", "logical_usage"])
def test_missing_required_field_is_named(name):
    result = parse_records(record(**{name: ...}))
    identity = "" if name == "mountpoint" else " (mountpoint /lustre/scratch/nn1234k)"
    assert [str(e) for e in result.errors] == [f"record 1{identity}: missing required field {name}"]


@pytest.mark.parametrize(
    ("dt", "message"),
    [
        ("2025-06-01T00:00:00", "has no time zone"),
        ("2025-06-01 00:00:00", "has no time zone"),
        ("2025-06-01T01:00:00+01:00", "is not in UTC"),
        ("2025-06-01", "is a date without a time of day"),
        ("01/06/2025 00:00", "is not an ISO 8601 date and time"),
        ("2025-13-01T00:00:00Z", "is not an ISO 8601 date and time"),
    ],
)
def test_moments_must_be_rfc3339_utc(dt, message):
    result = parse_records(record(dt=dt))
    assert len(result.errors) == 1
    assert message in result.errors[0].reason


@pytest.mark.parametrize(
    "dt", ["2025-06-01T00:00:00Z", "2025-06-01t00:00:00z", "2025-06-01T00:00:00+00:00", "2025-06-01 00:00:00Z"]
)
def test_utc_spellings_are_the_same_moment(dt):
    result = parse_records(record(dt=dt))
    assert result.errors == []
    assert result.records[0].measured_at == datetime(2025, 6, 1, tzinfo=UTC)


def test_same_moment_spelled_differently_is_a_duplicate():
    result = parse_records(record(), record(dt="2025-06-01T00:00:00+00:00"))
    assert [str(e) for e in result.errors] == [
        "record 2 (mountpoint /lustre/scratch/nn1234k): duplicates record 1 "
        "(pool scratch, quota /lustre/scratch/nn1234k, at 2025-06-01T00:00:00Z)"
    ]


def test_same_quota_on_another_pool_or_moment_is_not_a_duplicate():
    result = parse_records(record(), record(resource="project"), record(dt="2025-06-02T00:00:00Z"))
    assert result.errors == []
    assert len(result.records) == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("logical_usage", "1000", "must be an integer number of bytes, not a string ('1000')"),
        ("logical_usage", 10.0, "not a fractional number (10.0)"),
        ("logical_usage", True, "not a boolean (true)"),
        ("physical_usage", -1, "physical_usage is negative (-1)"),
        ("hard_threshold", -2, "hard_threshold is negative (-2)"),
        ("hard_threshold", 2**63, "hard_threshold 9223372036854775808 is too large"),
        ("file_count", -3, "file_count is negative (-3)"),
        ("resource", "", "resource is empty"),
        ("user", "x" * 31, "user is 31 characters long, the most XDMoD allows is 30"),
        ("mountpoint", 42, "mountpoint must be a string, not an integer"),
    ],
)
def test_bad_values(field, value, message):
    pair = {"soft_threshold": 0} if field == "hard_threshold" else {}
    result = parse_records(record(**{field: value, **pair}))
    assert len(result.errors) == 1, result.errors
    assert message in result.errors[0].reason


def test_null_optional_fields_are_absent():
    result = parse_records(record(physical_usage=None, soft_threshold=None, hard_threshold=None))
    assert result.errors == []
    assert result.records[0].physical_used_bytes is None


def test_whitespace_and_trailing_slash():
    result = parse_records(record(resource=" scratch ", mountpoint="/lustre/scratch/nn1234k/"))
    (item,) = result.records
    assert item.pool == "scratch"
    assert item.quota_key == "/lustre/scratch/nn1234k/"
    assert item.alternate_keys == ("/lustre/scratch/nn1234k",)


def test_byte_order_mark_and_crlf():
    data = "\ufeff" + json.dumps([record()], indent=1).replace("\n", "\r\n")
    result = parse(data.encode("utf-8"))
    assert result.errors == []
    assert result.records[0].used_bytes == 1000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "the file is not valid JSON"),
        (b'{"resource": "scratch"}', "not an Open XDMoD storage file: it is a JSON object, not an array"),
        (b"", "not an Open XDMoD storage file: the file is not valid JSON"),
        (b"Disk quotas for prj 1 (pid 1):\n", "not an Open XDMoD storage file: the file is not valid JSON"),
        (b"[]", "not an Open XDMoD storage file: the array holds no usage records"),
        (b'{"data": [], "error": {"code": 0}}', "this is an OceanStor REST response"),
        (b'[{"ID": "1", "SPACEUSED": "5"}]', "record 1 has none of the fields resource, mountpoint, dt"),
    ],
)
def test_unreadable_file(content, message):
    result = parse(content)
    assert len(result.errors) == 1
    assert result.errors[0].position == ""
    assert message in result.errors[0].reason


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({"soft_threshold": 5}, "soft_threshold without hard_threshold"),
        ({"hard_threshold": 5}, "hard_threshold without soft_threshold"),
        ({"soft_threshold": 5, "hard_threshold": None}, "soft_threshold without hard_threshold"),
    ],
)
def test_limits_come_as_a_pair(thresholds, message):
    result = parse_records(record(**thresholds))
    assert [str(e) for e in result.errors] == [
        f"record 1 (mountpoint /lustre/scratch/nn1234k): {message}: a record carries both limits "
        "(-1 for no limit) or neither"
    ]


def test_not_utf8_names_the_line():
    result = parse(b'[\n{"resource": "scr\xe9tch"}\n]')
    assert [str(e) for e in result.errors] == [
        "line 2: not UTF-8 (byte 0xe9 at column 18 cannot be decoded): save the report as UTF-8"
    ]


def test_many_records_all_checked():
    records = [record(mountpoint=f"/p/{i}", logical_usage=i) for i in range(2000)]
    records[1500]["logical_usage"] = -1
    result = parse_records(*records)
    assert [str(e) for e in result.errors] == ["record 1501 (mountpoint /p/1500): logical_usage is negative (-1)"]
    assert len(result.records) == 1999
    assert result.records[-1].used_bytes == 1999


def test_path_given_as_a_string(sample):
    result = parse(str(sample("xdmod_good.json")))
    assert result.errors == []
    assert len(result.records) == 3


def test_open_text_file(sample):
    with open(sample("xdmod_good.json")) as handle:
        assert len(parse(handle).records) == 3
