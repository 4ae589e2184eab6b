from datetime import UTC, datetime

import pytest

from inventory.importers.csvfile import parse
from tests.inventory.importers.conftest import errors_by_position

HEADER = "pool,quota_id,measured_at,used_bytes,file_count\n"


def test_good_file_exact_bytes(sample):
    # BOM, CRLF, mixed-case headers with spaces, an extra column, a blank line, a quoted comma.
    result = parse(sample("csv_good.csv"))
    assert result.errors == []
    first, second, third = result.records
    assert (first.position, first.pool, first.quota_key) == (
        "line 2 (quota_id /lustre/scratch/nn1234k)",
        "scratch",
        "/lustre/scratch/nn1234k",
    )
    assert first.measured_at == datetime(2025, 6, 1, tzinfo=UTC)
    assert (first.used_bytes, first.file_count, first.hard_limit_bytes) == (310 * 10**12, 4_200_000, 400 * 10**12)
    assert first.limits_reported and second.limits_reported
    # Any zone is accepted and converted to UTC; 1.5 TiB is binary.
    assert second.measured_at == datetime(2025, 6, 1, tzinfo=UTC)
    assert second.used_bytes == 1_649_267_441_664
    assert (third.position, third.used_bytes, third.file_count, third.hard_limit_bytes) == (
        "line 5 (quota_id /lustre/scratch/nn1234k)",
        123_456_789,
        None,
        None,
    )


def test_pool_column_is_optional(sample):
    result = parse(sample("csv_no_pool.csv"))
    assert result.errors == []
    assert [(r.pool, r.quota_key, r.used_bytes) for r in result.records] == [(None, "10001", 5 * 10**9)]
    # Without limit columns the file says nothing about limits.
    assert result.records[0].limits_reported is False


def test_bad_file(sample):
    result = parse(sample("csv_bad.csv"))
    errors = errors_by_position(result)
    assert "a capacity cannot be negative" in errors["line 2"][0]
    assert errors["line 3"] == [
        "measured_at '2025-06-01T00:00:00' has no time zone: add Z for UTC or an offset such as +01:00"
    ]
    assert 'unknown unit "XB"' in errors["line 4"][0]
    assert errors["line 5"] == ["used_bytes is empty"]
    assert "soft_limit_bytes (20000000000000 B) is above hard_limit_bytes (10000000000000 B)" in errors["line 6"][0]
    assert errors["line 8"][0].startswith("duplicates line 7")
    assert errors["line 9"][0].startswith("conflicts with line 7")
    assert errors["line 10"] == ["file_count is negative (-1)"]
    assert errors["line 11"] == ["expected 7 fields as in the header, found 4"]
    assert [r.position for r in result.records] == ["line 7 (quota_id f)"]


def test_missing_column():
    result = parse("pool,quota_id,used_bytes\nscratch,a,1\n")
    assert [str(e) for e in result.errors] == [
        "line 1: not a usage CSV file: the header lacks the column measured_at: "
        "expected pool,quota_id,measured_at,used_bytes,file_count"
    ]


def test_semicolon_separated():
    result = parse("pool;quota_id;measured_at;used_bytes;file_count\nscratch;a;2025-06-01T00:00:00Z;1,5 TB;3\n")
    assert "thousands separators" in result.errors[0].reason
    result = parse("pool;quota_id;measured_at;used_bytes;file_count\nscratch;a;2025-06-01T00:00:00Z;1.5 TB;3\n")
    assert result.records[0].used_bytes == 1_500_000_000_000


@pytest.mark.parametrize(
    ("used", "expected"),
    [("310 TB", 310 * 10**12), ("1.5 TiB", 3 * 2**39), ("1234", 1234), ("750GB", 750 * 10**9)],
)
def test_units(used, expected):
    result = parse(HEADER + f"scratch,a,2025-06-01T00:00:00Z,{used},1\n")
    assert result.records[0].used_bytes == expected


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("scratch,a,2025-06-01T00:00:00Z,327.5 T,1", 'the unit "T" is ambiguous'),
        ("scratch,a,2025-06-01,5,1", "is a date without a time of day"),
        ("scratch,a,yesterday,5,1", "is not an ISO 8601 date and time"),
        ("scratch,,2025-06-01T00:00:00Z,5,1", "quota_id is empty"),
        ("scratch,a,2025-06-01T00:00:00Z,5,many", "file_count must be a whole number, not 'many'"),
        ("scratch,a,2025-06-01T00:00:00Z,99999999 EB,1", "more than the largest capacity"),
    ],
)
def test_bad_rows(row, message):
    result = parse(HEADER + row + "\n")
    assert len(result.errors) == 1, result.errors
    assert result.errors[0].position in ("line 2 (quota_id a)", "line 2")
    assert message in result.errors[0].reason


def test_limit_sentinels():
    result = parse(
        "pool,quota_id,measured_at,used_bytes,soft_limit_bytes,hard_limit_bytes\n"
        "scratch,a,2025-06-01T00:00:00Z,5,-1,18446744073709551615\n"
    )
    assert (result.records[0].soft_limit_bytes, result.records[0].hard_limit_bytes) == (None, None)


def test_multiline_quoted_field_keeps_line_numbers():
    result = parse('quota_id,measured_at,used_bytes,note\na,2025-06-01T00:00:00Z,1,"two\nlines"\nb,x,1,\n')
    assert [str(e) for e in result.errors] == [
        "line 4 (quota_id b): measured_at 'x' is not an ISO 8601 date and time such as 2026-11-28T00:00:00Z"
    ]


def test_empty_file():
    assert "the file is empty" in parse(b"").errors[0].reason


@pytest.mark.parametrize(
    "moment",
    ["2025-06-01T00:00:00Z", "2025-06-01T00:00:00z", "2025-06-01 00:00:00 UTC", "2025-06-01T02:00:00+0200"],
)
def test_utc_spellings(moment):
    result = parse(HEADER + f"scratch,a,{moment},5,1\n")
    assert result.errors == []
    assert result.records[0].measured_at == datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("pool,quota_id,measured_at,used_bytes,hard_limit_bytes", "s,a,2025-06-01T00:00:00Z,5,7", "without soft_limit"),
        (
            "pool,quota_id,measured_at,used_bytes,soft_limit_bytes,hard_limit_bytes",
            "s,a,2025-06-01T00:00:00Z,5,,7",
            "line 2 (quota_id a): soft_limit_bytes is empty: write -1 for no limit",
        ),
    ],
)
def test_a_missing_limit_is_refused_only_a_sentinel_means_no_limit(header, row, message):
    result = parse(f"{header}\n{row}\n")
    assert message in str(result.errors[0])
    assert result.records == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a usage CSV file: the file is empty"),
        (b'[{"resource": "scratch"}]', "not a usage CSV file: the header lacks"),
        (b"Disk quotas for prj 1 (pid 1):\n", "not a usage CSV file: the header lacks"),
    ],
)
def test_foreign_input_is_not_a_usage_csv(content, message):
    result = parse(content)
    assert message in str(result.errors[0])


def test_not_utf8_names_the_line():
    result = parse(HEADER.encode() + b"scratch,a,2025-06-01T00:00:00Z,5,1\nscratch,b,2025-06-01T00:00:00Z,5,\xff\n")
    assert [str(e) for e in result.errors] == [
        "line 3: not UTF-8 (byte 0xff at column 34 cannot be decoded): save the report as UTF-8"
    ]
