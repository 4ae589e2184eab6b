"""Parsing and formatting capacities: exact bytes in, three significant figures out."""

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from inventory.units import (
    MAX_CAPACITY,
    UNIT_FACTORS,
    CapacityError,
    bytes_to_unit,
    format_bytes_exact,
    format_capacity,
    format_capacity_exact,
    format_capacity_parts,
    parse_capacity,
)

TB, PB, TiB, PiB = 10**12, 10**15, 2**40, 2**50
ACCEPTED = "Use a number with one of B, kB, MB, GB, TB, PB, EB, KiB, MiB, GiB, TiB, PiB, EiB"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 PB", 2 * PB),
        ("1.5 TiB", 3 * TiB // 2),
        ("750GB", 750 * 10**9),
        ("0.5 pb", PB // 2),
        (" 10 tb ", 10 * TB),
        ("1234", 1234),
        (1234, 1234),
        (0, 0),
        ("0", 0),
        ("0 PB", 0),
        ("1 Tb", TB),
        ("1 KB", 1000),
        ("1 kb", 1000),
        ("1 kB", 1000),
        ("1 KiB", 1024),
        ("1 kib", 1024),
        ("3 MiB", 3 * 2**20),
        ("2 GiB", 2 * 2**30),
        ("1 EB", 10**18),
        ("7.5 EiB", 15 * 2**59),
        ("1 PiB", PiB),
        ("12 B", 12),
        ("12B", 12),
        ("1 byte", 1),
        ("2 bytes", 2),
        ("2 BYTES", 2),
        ("1.0 B", 1),
        ("007 GB", 7 * 10**9),
        ("1.234567891011 TB", 1_234_567_891_011),
        (str(MAX_CAPACITY), MAX_CAPACITY),
        (MAX_CAPACITY, MAX_CAPACITY),
        ("9.223372036854775807 EB", MAX_CAPACITY),
    ],
)
def test_parse_capacity_reads_numbers_with_units(text, expected):
    assert parse_capacity(text) == expected


def test_parse_capacity_is_exact_for_long_fractions():
    # A float would lose the last digits of this one.
    assert parse_capacity("1.000000000000000001 EB") == 10**18 + 1
    assert parse_capacity("0.1 TiB") == int(Decimal("0.1") * TiB + Decimal("0.5"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0000000000005 TB", TB + 1),  # exactly half a byte rounds up
        ("1.0000000000004 TB", TB),
        ("1.0000000000006 TB", TB + 1),
        ("0.0005 kB", 1),
        ("0.0004 kB", 0),
        ("0.5 KiB", 512),
        ("0.0001 KiB", 0),  # 0.1024 bytes
        ("0.0005 KiB", 1),  # 0.512 bytes
    ],
)
def test_parse_capacity_rounds_fractions_of_a_byte_half_up(text, expected):
    assert parse_capacity(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12 XB", 'unknown unit "XB"'),
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("-1 TB", "a capacity cannot be negative"),
        ("-5", "a capacity cannot be negative"),
        ("T", "it does not start with a number"),
        ("GB", "it does not start with a number"),
        ("1 T", 'the unit "T" is ambiguous (TB or TiB?)'),
        ("1T", 'the unit "T" is ambiguous (TB or TiB?)'),
        ("5 k", 'the unit "k" is ambiguous (KB or KiB?)'),
        ("5 G", 'the unit "G" is ambiguous (GB or GiB?)'),
        ("nan", "it is not a finite number"),
        ("NaN", "it is not a finite number"),
        ("inf", "it is not a finite number"),
        ("Infinity TB", "it is not a finite number"),
        ("1e3", 'exponents such as "1e3" are not accepted; write the digits out or use a unit'),
        ("1.5E12 B", 'exponents such as "1e3" are not accepted; write the digits out or use a unit'),
        ("1,000 GB", 'write the number without thousands separators and with "." for decimals'),
        ("1,5 TB", 'write the number without thousands separators and with "." for decimals'),
        ("1  TB", "put at most one space between the number and the unit"),
        ("1\tTB", "put at most one space between the number and the unit"),
        ("1.5", "a byte count must be a whole number"),
        ("1.5 B", "a byte count must be a whole number"),
        ("1.5 bytes", "a byte count must be a whole number"),
        ("1 Ti", 'unknown unit "Ti"'),
        ("1 TB/s", 'unknown unit "TB/s"'),
        ("1.TB", 'unknown unit ".TB"'),
        ("1 TB 2 GB", 'unknown unit "TB 2 GB"'),
        (".5 TB", "it does not start with a number"),
        ("+5 TB", "it does not start with a number"),
        ("١٢ TB", "it does not start with a number"),  # Arabic-Indic digits are not ASCII digits
        ("1" * 65, "it is longer than 64 characters"),
        (-1, "a capacity cannot be negative"),
        (True, "expected text such as “2 PB” or a whole number of bytes"),
        (1.5, "expected text such as “2 PB” or a whole number of bytes"),
        (None, "expected text such as “2 PB” or a whole number of bytes"),
    ],
)
def test_parse_capacity_rejects_with_a_reason_and_the_accepted_units(text, reason):
    with pytest.raises(CapacityError) as caught:
        parse_capacity(text)
    assert caught.value.reason == reason
    assert str(caught.value).startswith(f'Cannot read "{str(text)[:40]}')
    assert str(caught.value).endswith(f'{ACCEPTED} (for example "2 PB" or "1.5 TiB").')


def test_the_error_message_reads_as_the_domain_expects():
    with pytest.raises(CapacityError) as caught:
        parse_capacity("12 XB")
    assert str(caught.value) == (
        'Cannot read "12 XB" as a capacity: unknown unit "XB". Use a number with one of B, kB, MB, GB, '
        'TB, PB, EB, KiB, MiB, GiB, TiB, PiB, EiB (for example "2 PB" or "1.5 TiB").'
    )
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["8 EiB", "9.3 EB", str(MAX_CAPACITY + 1), MAX_CAPACITY + 1, "10000 EB"])
def test_parse_capacity_rejects_what_does_not_fit_a_bigint(text):
    with pytest.raises(CapacityError) as caught:
        parse_capacity(text)
    assert "is more than the largest capacity that can be stored, 9,223,372,036,854,775,807 bytes" in str(caught.value)


def test_long_input_is_shown_shortened_in_the_message():
    with pytest.raises(CapacityError) as caught:
        parse_capacity("x" * 100)
    assert f'"{"x" * 40}…"' in str(caught.value)


@pytest.mark.parametrize(
    ("num_bytes", "decimal", "binary"),
    [
        (2 * PB, "2.00 PB", "1.78 PiB"),
        (1_500_000_000_000, "1.50 TB", "1.36 TiB"),
        (750 * 10**9, "750 GB", "698 GiB"),
        (999_999_999_999, "1.00 TB", "931 GiB"),
        (999_500_000_000, "1.00 TB", "931 GiB"),
        (999_499_999_999, "999 GB", "931 GiB"),
        (0, "0 B", "0 B"),
        (1, "1 B", "1 B"),
        (512, "512 B", "512 B"),
        (999, "999 B", "999 B"),
        (1000, "1.00 kB", "0.977 KiB"),
        (1023, "1.02 kB", "0.999 KiB"),
        (1024, "1.02 kB", "1.00 KiB"),
        (1_048_575, "1.05 MB", "1.00 MiB"),  # 1023.999 KiB carries into MiB, never "1020 KiB"
        (9_995, "10.0 kB", "9.76 KiB"),
        (99_950, "100 kB", "97.6 KiB"),
        (TiB, "1.10 TB", "1.00 TiB"),
        (PiB, "1.13 PB", "1.00 PiB"),
        (MAX_CAPACITY, "9.22 EB", "8.00 EiB"),
        (10**22, "10000 EB", "8670 EiB"),  # beyond EB (e.g. a SUM): stay in EB, still 3 figures
        (-3 * TB, "-3.00 TB", "-2.73 TiB"),
        (-512, "-512 B", "-512 B"),
        (Decimal(2 * PB), "2.00 PB", "1.78 PiB"),  # PostgreSQL's SUM(bigint) is numeric
        (None, "—", "—"),
    ],
)
def test_format_capacity_shows_three_significant_figures(num_bytes, decimal, binary):
    assert format_capacity(num_bytes) == decimal
    assert format_capacity(num_bytes, binary=binary) == binary


def test_format_capacity_parts_splits_number_and_symbol():
    assert format_capacity_parts(1_500_000_000_000) == ("1.50", "TB")
    assert format_capacity_parts(2 * PB, binary=True) == ("1.78", "PiB")
    assert format_capacity_parts(512) == ("512", "B")
    assert format_capacity_parts(None) == ("—", "")


@pytest.mark.parametrize("bad", [1.5, True, "12", Decimal("1.5"), Decimal("NaN")])
def test_format_capacity_refuses_what_is_not_whole_bytes(bad):
    with pytest.raises(TypeError):
        format_capacity(bad)


@pytest.mark.parametrize(
    ("num_bytes", "decimal", "binary"),
    [
        (2 * PB, "2.00 PB", "1.7763568394002505 PiB"),
        (1_234_567_891_011, "1.234567891011 TB", "1.1228329558535 TiB"),
        (999_999_999_999, "999.999999999 GB", "931.322574615 GiB"),
        (TiB, "1.099511627776 TB", "1.00 TiB"),
        (1000, "1.00 kB", "0.977 KiB"),
        (1023, "1.023 kB", "0.999 KiB"),
        (512, "512 B", "512 B"),
        (0, "0 B", "0 B"),
        (MAX_CAPACITY, "9.223372036854775807 EB", "7.999999999999999999 EiB"),
        (None, "", ""),
    ],
)
def test_format_capacity_exact_reads_back_to_the_same_bytes(num_bytes, decimal, binary):
    assert format_capacity_exact(num_bytes) == decimal
    assert format_capacity_exact(num_bytes, binary=True) == binary
    if num_bytes is not None:
        assert parse_capacity(decimal) == num_bytes
        assert parse_capacity(binary) == num_bytes


def test_format_bytes_exact_groups_thousands():
    assert format_bytes_exact(2 * PB) == "2,000,000,000,000,000 bytes"
    assert format_bytes_exact(1) == "1 byte"
    assert format_bytes_exact(0) == "0 bytes"
    assert format_bytes_exact(-1000) == "-1,000 bytes"
    assert format_bytes_exact(None) == ""


def test_unit_factors_and_bytes_to_unit():
    assert UNIT_FACTORS["TB"] == 10**12
    assert UNIT_FACTORS["TiB"] == 2**40
    assert UNIT_FACTORS["kB"] == 1000
    assert UNIT_FACTORS["EiB"] == 2**60
    assert bytes_to_unit(2 * PB, "PiB") == Decimal("1.7763568394002504646778106689453125")
    assert bytes_to_unit(1_500_000_000_000, "TB") == Decimal("1.5")


# --- properties ---------------------------------------------------------------------------------

capacities = st.integers(min_value=0, max_value=MAX_CAPACITY)


@given(num_bytes=capacities, binary=st.booleans())
@example(num_bytes=MAX_CAPACITY, binary=True)
@example(num_bytes=999_999_999_999, binary=False)
@example(num_bytes=1_048_575, binary=True)
def test_format_then_parse_is_within_three_significant_figures(num_bytes, binary):
    text = format_capacity(num_bytes, binary=binary)
    number, _, unit = text.partition(" ")
    assert re.fullmatch(r"\d{1,3}|\d\.\d\d|\d\d\.\d|0\.\d\d\d", number), text
    try:
        read_back = parse_capacity(text)
    except CapacityError as error:
        # Only rounding up past the largest storable capacity may fail ("8.00 EiB" = 2**63).
        assert "is more than the largest capacity" in str(error)
        assert num_bytes > MAX_CAPACITY - MAX_CAPACITY // 200
        return
    assert abs(read_back - num_bytes) <= Decimal(num_bytes) * Decimal("0.005")
    if unit == "B":
        assert read_back == num_bytes


@given(num_bytes=capacities, binary=st.booleans())
@example(num_bytes=1_234_567_891_011, binary=False)
@example(num_bytes=MAX_CAPACITY, binary=True)
def test_exact_format_round_trips(num_bytes, binary):
    assert parse_capacity(format_capacity_exact(num_bytes, binary=binary)) == num_bytes


@given(num_bytes=capacities)
def test_plain_byte_counts_round_trip(num_bytes):
    assert parse_capacity(str(num_bytes)) == num_bytes
    assert parse_capacity(num_bytes) == num_bytes
    assert parse_capacity(f"{num_bytes} B") == num_bytes


@given(num_bytes=capacities, unit=st.sampled_from(sorted(UNIT_FACTORS)))
def test_whole_amounts_in_any_unit_are_exact(num_bytes, unit):
    amount = num_bytes // UNIT_FACTORS[unit]
    for spelling in (f"{amount} {unit}", f"{amount}{unit.upper()}", f"{amount} {unit.lower()}"):
        assert parse_capacity(spelling) == amount * UNIT_FACTORS[unit]


# An independent statement of the accepted grammar, to tell garbage from valid input.
_UNITS = "|".join(re.escape(u.lower()) for u in UNIT_FACTORS) + "|bytes?"
_VALID = re.compile(rf"\s*[0-9]+(\.[0-9]+)? ?({_UNITS})?\s*", re.ASCII | re.IGNORECASE)
# The same, but with every Unicode space around the text (str.strip() removes those too).
_VALID_UNICODE_SPACES = re.compile(rf"\s*[0-9]+(\.[0-9]+)? ?({_UNITS})?\s*", re.IGNORECASE)


@given(text=st.text(max_size=30))
@example(text="1 XB")
@example(text="1e999999999")
@example(text="\x00")
@example(text="9" * 64)
def test_garbage_is_rejected_with_capacity_error_only(text):
    try:
        result = parse_capacity(text)
    except CapacityError:
        return
    assert _VALID_UNICODE_SPACES.fullmatch(text), f"{text!r} was accepted as {result}"
    assert 0 <= result <= MAX_CAPACITY


@given(
    text=st.text(alphabet=st.characters(codec="ascii"), max_size=20).filter(
        lambda t: not _VALID_UNICODE_SPACES.fullmatch(t)
    )
)
def test_text_outside_the_grammar_is_always_rejected(text):
    with pytest.raises(CapacityError):
        parse_capacity(text)


@given(text=st.from_regex(_VALID, fullmatch=True))
def test_text_in_the_grammar_is_read_or_refused_for_a_stated_reason(text):
    try:
        result = parse_capacity(text)
    except CapacityError as error:
        assert error.reason.startswith(
            ("a byte count must be a whole number", "it is longer than", "it is empty")
        ) or "is more than the largest capacity" in str(error)
        return
    assert 0 <= result <= MAX_CAPACITY
