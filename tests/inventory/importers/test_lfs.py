import pytest

from inventory.importers.lfs import parse
from tests.inventory.importers.conftest import errors_by_position

KIB = 1024
TIB = 1024**4

HEADER_OLD = "     Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace"
HEADER_NEW = "     Filesystem    used  bquota  blimit  bgrace   files  iquota  ilimit  igrace"


def block(figures: str, pid: int = 10001, header: str = HEADER_OLD) -> str:
    return f"Disk quotas for prj {pid} (pid {pid}):\n{header}\n{figures}\n"


def test_plain_kib_layout_exact_bytes(sample):
    result = parse(sample("lfs_plain.txt"))
    assert result.errors == []
    first, second, third = result.records
    assert (first.position, first.quota_key, first.pool, first.measured_at) == (
        "line 3 (project 10001)",
        "10001",
        None,
        None,
    )
    assert first.used_bytes == 30_000_000_000 * KIB
    assert first.soft_limit_bytes == 48_318_382_080 * KIB
    assert first.hard_limit_bytes == 53_687_091_200 * KIB
    assert first.file_count == 4_200_000
    # A long filesystem name stands alone; the figures follow on the next line.
    assert (second.position, second.quota_key, second.used_bytes) == ("line 7 (project 10002)", "10002", 1024 * KIB)
    assert (second.soft_limit_bytes, second.hard_limit_bytes, second.file_count) == (None, None, 7)
    # New column names, "project" spelled out, an over-quota star and a grace duration.
    assert (third.quota_key, third.used_bytes, third.soft_limit_bytes) == ("10003", 5_000_001 * KIB, 4_000_000 * KIB)
    assert [str(w) for w in result.warnings] == ["line 11 (project 10003): over a quota (marked * by lfs)"]
    assert all(record.limits_reported for record in result.records)


def test_human_readable_layout_powers_of_1024(sample):
    result = parse(sample("lfs_human.txt"))  # CRLF line endings
    assert result.errors == []
    first, empty, over = result.records
    # 27.94 TiB rounded to the nearest byte, never through a float.
    assert first.used_bytes == 30_720_354_880_061
    assert (first.soft_limit_bytes, first.hard_limit_bytes) == (45 * TIB, 50 * TIB)
    assert (empty.used_bytes, empty.soft_limit_bytes, empty.hard_limit_bytes) == (0, None, None)
    assert (over.used_bytes, over.soft_limit_bytes, over.hard_limit_bytes) == (1_610_612_736, 1024**3, 1_610_612_736)
    # lfs rounded the figures: said once for the file.
    assert [str(w) for w in result.warnings if not w.position] == [
        "figures from `lfs quota -h` are rounded by lfs (27.94T is ±5.12 GiB); use plain `lfs quota` for exact bytes"
    ]


def test_bad_file(sample):
    result = parse(sample("lfs_bad.txt"))  # starts with a byte-order mark
    errors = errors_by_position(result)
    assert "bracketed value [2048]" in errors["line 3"][0]
    assert errors["line 6"] == ["used is negative (-5)"]
    assert errors["line 9"] == ["block quota 200 is above block limit 100"]
    assert errors["line 15"] == ["conflicts with line 12 (quota 10004)"]
    assert "expected 8 figures" in errors["line 18"][0]
    assert "'12.5TB' is not a number of KiB" in errors["line 21"][0]
    assert [r.quota_key for r in result.records] == ["10004"]


def test_identical_block_twice_is_a_duplicate():
    figures = "/lustre/scratch 100 0 0 - 12 0 0 -"
    result = parse(block(figures) + block(figures))
    assert [str(e) for e in result.errors] == ["line 6 (project 10001): duplicates line 3 (quota 10001)"]


@pytest.mark.parametrize(
    ("figures", "used", "soft", "hard"),
    [
        ("/fs 4k 0k 0k - 1 0 0 -", 4 * KIB, None, None),
        ("/fs 1.953G 2G 3G - 1 0 0 -", 2_097_017_782, 2 * 1024**3, 3 * 1024**3),
        ("/fs 1.5P 2P 0 - 1 0 0 -", 1_688_849_860_263_936, 2 * 1024**5, None),
        ("/fs 1.024e+04T 0k 0k - 1 0 0 -", 10_240 * TIB, None, None),
        ("/fs 12 0 0 - 1 0 0 -", 12 * KIB, None, None),
        ("/fs 512M* 256M 512M 6d23h59m 1 0 0 -", 512 * 1024**2, 256 * 1024**2, 512 * 1024**2),
    ],
)
def test_figures(figures, used, soft, hard):
    result = parse(block(figures, header=HEADER_NEW))
    assert result.errors == []
    (item,) = result.records
    assert (item.used_bytes, item.soft_limit_bytes, item.hard_limit_bytes) == (used, soft, hard)


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ("/fs [2048] 0 0 - 1 0 0 -", "bracketed value [2048]"),
        ("/fs 2048 [  4.2T] 0 - 1 0 0 -", "bracketed value [4.2T]"),
        ("/fs 2048 0 0 - [12] 0 0 -", "bracketed value [12]"),
        ("/fs 12.5X 0 0 - 1 0 0 -", "not a number of KiB"),
        ("/fs 12 0 0 - 1.5 0 0 -", "files '1.5' is not a whole number"),
        ("/fs 12 0 0 - -1 0 0 -", "files is negative (-1)"),
        ("/fs 9007199254740992 0 0 - 1 0 0 -", "does not fit a signed 64-bit integer"),
    ],
)
def test_bad_figures(figures, message):
    result = parse(block(figures))
    assert len(result.errors) == 1, result.errors
    assert result.errors[0].position == "line 3 (project 10001)"
    assert message in result.errors[0].reason


def test_informational_and_verbose_lines_are_skipped():
    text = (
        "Disk quotas for prj 10003 (pid 10003):\n"
        + HEADER_OLD
        + "\n"
        + "/lustre/scratch 100 0 0 - 1 0 0 -\n"
        + "scratch-MDT0000_UUID\n                  0       -       0       -       1       -       0       -\n"
        + "scratch-OST0000_UUID\n                100       -    [0]       -       -       -       -       -\n"
        + "Total allocated inode limit: 0, total allocated block limit: 0\n"
        + "pid 10003 is using default block quota setting\n"
        + "pid 10003 is using default file quota setting\n"
        + 'Some errors happened when getting quota info. The data in "[]" is inaccurate.\n'
    )
    result = parse(text)
    assert result.errors == []
    assert [(r.quota_key, r.used_bytes) for r in result.records] == [("10003", 100 * KIB)]


def test_user_and_group_blocks_are_skipped_with_a_warning():
    text = (
        "Disk quotas for usr bob (uid 500):\n" + HEADER_OLD + "\n/fs 1 0 0 - 1 0 0 -\n" + block("/fs 2 0 0 - 1 0 0 -")
    )
    result = parse(text)
    assert result.errors == []
    assert [r.quota_key for r in result.records] == ["10001"]
    assert "skipped a usr quota" in str(result.warnings[0])


def test_title_without_figures_is_an_error():
    result = parse("Disk quotas for prj 10001 (pid 10001):\n" + HEADER_OLD + "\n" + block("/fs 1 0 0 - 1 0 0 -", 10002))
    assert [str(e) for e in result.errors] == ["line 1 (project 10001): no quota figures"]


def test_figures_without_a_title_are_an_error():
    result = parse(HEADER_OLD + "\n/lustre/scratch 100 0 0 - 1 0 0 -\n")
    assert "the project ids are unknown (was lfs quota run with -q?)" in result.errors[0].reason


def test_unexpected_header():
    result = parse("Disk quotas for prj 1 (pid 1):\n Filesystem used quota\n/fs 1 0 0 - 1 0 0 -\n")
    assert "unexpected column header" in result.errors[0].reason


def test_not_utf8_names_the_line():
    result = parse(block("/fs 1 0 0 - 1 0 0 -").encode() + b"pid 10001 is \xe9\n")
    assert [str(e) for e in result.errors] == [
        "line 4: not UTF-8 (byte 0xe9 at column 14 cannot be decoded): save the report as UTF-8"
    ]


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"", "the file is empty"),
        (b"[]", "it looks like JSON"),
        (b'{"data": [], "error": {"code": 0}}', "it looks like JSON"),
        (b"pool,quota_id,measured_at,used_bytes\nscratch,a,2025-06-01T00:00:00Z,1\n", "it looks like CSV"),
    ],
)
def test_foreign_input_is_not_lfs_quota_output(content, what):
    result = parse(content)
    assert [str(e) for e in result.errors] == [
        f"not `lfs quota` output: {what}"
        + ("" if "empty" in what else "; lfs quota prints 'Disk quotas for prj ...' blocks")
    ]
    assert result.records == []


def test_plain_figures_carry_no_rounding_warning(sample):
    assert not [w for w in parse(sample("lfs_plain.txt")).warnings if "rounded" in w.message]


def test_unknown_limits_say_nothing_about_limits():
    result = parse(block("/fs 12 - - - 1 - - -"))
    (item,) = result.records
    assert (item.soft_limit_bytes, item.hard_limit_bytes, item.limits_reported) == (None, None, False)
    assert "only one is '-'" in parse(block("/fs 12 - 0 - 1 0 0 -")).errors[0].reason


def test_project_name_in_the_title_is_an_alternate_key():
    result = parse(
        "Disk quotas for prj nn1234k (pid 10001):\n"
        + HEADER_OLD
        + "\n/fs 1 0 0 - 1 0 0 -\n"
        + block("/fs 2 0 0 - 1 0 0 -", 10002)
    )
    assert [(r.quota_key, r.alternate_keys) for r in result.records] == [("10001", ("nn1234k",)), ("10002", ())]
