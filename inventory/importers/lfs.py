"""Lustre project quota reports: the text ``lfs quota -p <project id> <mount>`` prints, one block per project.

A block is a title (``Disk quotas for prj 10001 (pid 10001):``), a column header and one line of figures::

    Disk quotas for prj 10001 (pid 10001):
         Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace
    /lustre/scratch 30000000000 48318382080 53687091200  -  4200000  0  0  -

The project id in the title (``pid``) is the allocation's quota identifier (a project name shown before it,
when lfs resolved one, is tried as an alternate key). Block figures are KiB, or with
``-h`` carry a suffix (``k M G T P E``, powers of 1024, printed with four significant digits, so rounded by
lfs itself, which the import warns about); a limit of 0 means no limit, and ``-`` for both block quota
and limit means lfs did not know the limits (the record then says nothing about them). A filesystem name longer than 15 characters is printed alone on its
line with the figures on the next. ``*`` after a figure marks a quota exceeded; a figure in brackets is one
lfs could not read reliably and is refused. Anything else between blocks (``pid 10003 is using default block
quota setting``, ``-v`` per-target lines, totals) is informational and skipped. The report carries no
moment: the import supplies it. A file without a single ``Disk quotas for`` title is not ``lfs quota``
output and is refused as a whole. See docs/formats.md.
"""

from __future__ import annotations

import re

from inventory.importers.base import (
    MAX_BIGINT,
    FileError,
    ParseResult,
    Source,
    UsageRecord,
    at,
    check_duplicates,
    file_error,
    scale_decimal,
    sort_errors,
    text_lines,
)

NAME = "lfs"
LABEL = "Lustre lfs quota -p (text)"

_TITLE = re.compile(
    r"\s*Disk quotas for (?P<kind>prj|project|proj|usr|user|grp|group)\s+(?P<name>\S+)"
    r"(?:\s*\((?P<idkind>[pug]id)\s+(?P<id>\d+)\))?\s*:?\s*\Z",
    re.IGNORECASE,
)
_PROJECT_KINDS = {"prj", "project", "proj"}
# Column header names, old and new spellings, position by position.
_COLUMNS = (
    {"filesystem"},
    {"kbytes", "used", "blocks"},
    {"quota", "bquota"},
    {"limit", "blimit"},
    {"grace", "bgrace"},
    {"files", "inodes"},
    {"quota", "iquota"},
    {"limit", "ilimit"},
    {"grace", "igrace"},
)
_SUFFIXES = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5, "e": 1024**6}
_BRACKETED = re.compile(r"\[[^\]]*\]?")
_GRACE = re.compile(r"-|none|expired|(\d+[wdhms])+|\d+:\d+|\d+days?", re.IGNORECASE)
NOT_LFS = "not `lfs quota` output: "


class _Rounding:
    """Remembers the first figure ``lfs quota -h`` rounded, to say once per file how far off it may be."""

    __slots__ = ("example",)

    def __init__(self) -> None:
        self.example: str | None = None

    def warning(self) -> str | None:
        if self.example is None:
            return None
        number = self.example[:-1]
        decimals = len(number.partition(".")[2])
        step = scale_decimal("0." + "0" * decimals + "5" if decimals else "0.5", _SUFFIXES[self.example[-1].lower()])
        return (
            f"figures from `lfs quota -h` are rounded by lfs ({self.example} is ±{_binary(step)}); "
            "use plain `lfs quota` for exact bytes"
        )


def _binary(num_bytes: int) -> str:
    for name, size in (("PiB", 1024**5), ("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if num_bytes >= size:
            return f"{num_bytes / size:.3g} {name}"
    return f"{num_bytes} B"


def parse(source: Source, *, quota_trees: Source | None = None) -> ParseResult:
    """Read ``lfs quota -p`` output. ``quota_trees`` is not used by this format."""
    result = ParseResult()
    try:
        lines = text_lines(source)
    except FileError as exc:
        return file_error(result, exc, NOT_LFS)
    if not any(_TITLE.match(line.strip()) for line in lines):
        result.error("", NOT_LFS + _what_it_is(lines))
        return result
    rounding = _Rounding()
    _read_blocks(lines, result, rounding)
    check_duplicates(result)
    if not result.records and not result.errors:
        result.warn("", "the file holds no project quotas")
    rounded = rounding.warning()
    if rounded and result.records:
        result.warn("", rounded)
    sort_errors(result)
    return result


def _what_it_is(lines: list[str]) -> str:
    """What a file without any 'Disk quotas for' title looks like, for the refusal."""
    text = "\n".join(lines).strip()
    if not text:
        return "the file is empty"
    if text[0] in "[{":
        return "it looks like JSON; lfs quota prints 'Disk quotas for prj ...' blocks"
    if any(line.strip().startswith("/") and len(line.split()) >= 9 for line in lines):
        return (
            "quota figures without any 'Disk quotas for prj ...' title, so the project ids are unknown "
            "(was lfs quota run with -q?)"
        )
    if "," in lines[0] or ";" in lines[0]:
        return "it looks like CSV; lfs quota prints 'Disk quotas for prj ...' blocks"
    return "no 'Disk quotas for prj ...' line"


def _read_blocks(lines: list[str], result: ParseResult, rounding: _Rounding) -> None:
    """Every project block: title, header, figures; informational lines between blocks are skipped."""
    project: str | None = None  # the project id of the block being read
    project_name: str | None = None  # its name, when the title shows one besides the id
    skipping = False  # inside a user or group block, which is not an allocation
    expect = "title"  # title -> header -> figures -> title (after the figures: informational lines)
    filesystem_line: int | None = None  # where a long filesystem name stood alone
    title_line = 0
    for index, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        title = _TITLE.match(line)
        if title is not None:
            if expect in ("header", "figures") and not skipping:
                result.error(at(f"line {title_line}", f"project {project}"), "no quota figures")
            kind = title["kind"].lower()
            skipping = kind not in _PROJECT_KINDS
            project = title["id"] or title["name"]
            project_name = title["name"] if title["name"] != project else None
            title_line = index
            filesystem_line = None
            expect = "header"
            if skipping:
                result.warn(f"line {index}", f"skipped a {kind} quota: only project quotas are allocations")
            continue
        if expect == "title" or skipping:
            if expect == "title" and line.startswith("/") and len(line.split()) >= 9 and project is None:
                result.error(
                    f"line {index}",
                    "quota figures outside a 'Disk quotas for prj ...' block: the project id is unknown "
                    "(was lfs quota run with -q?)",
                )
            continue
        tokens = line.split()
        if expect == "header" and tokens[0].lower() == "filesystem":
            problem = _check_header(tokens)
            if problem:
                result.error(at(f"line {index}", f"project {project}"), problem)
                expect = "title"
            else:
                expect = "figures"
            continue
        # The figures: with the filesystem name in front, or on the line after a long name.
        if filesystem_line is None and len(tokens) == 1 and "[" not in line:
            filesystem_line = index
            continue
        figures = tokens if filesystem_line is not None else tokens[1:]
        record = _figures(line, figures, project, at(f"line {index}", f"project {project}"), result, project_name)
        if record is not None:
            result.records.append(record)
            if rounding.example is None:
                rounding.example = next((f.rstrip("*") for f in figures[:3] if _rounded(f)), None)
        expect = "title"
        filesystem_line = None
    if expect in ("header", "figures") and not skipping:
        result.error(at(f"line {title_line}", f"project {project}"), "no quota figures")


def _rounded(figure: str) -> bool:
    """A figure -h printed with a suffix and a fraction (so rounded); ``0k`` and ``45T`` may be exact."""
    text = figure.rstrip("*")
    return text[-1:].lower() in _SUFFIXES and "." in text


def _check_header(tokens: list[str]) -> str | None:
    names = [token.lower() for token in tokens]
    if len(names) != len(_COLUMNS) or any(n not in allowed for n, allowed in zip(names, _COLUMNS, strict=False)):
        return (
            f"unexpected column header {' '.join(tokens)!r}: expected "
            "'Filesystem kbytes quota limit grace files quota limit grace' "
            "or 'Filesystem used bquota blimit bgrace files iquota ilimit igrace'"
        )
    return None


def _figures(
    line: str, figures: list[str], project: str | None, position: str, result: ParseResult, name: str | None = None
):
    bracketed = _BRACKETED.findall(line)
    if bracketed:
        values = ", ".join(b.replace(" ", "") for b in bracketed)
        result.error(
            position,
            f"bracketed value {values}: lfs marks figures it could not read reliably so; run lfs quota again",
        )
        return None
    if len(figures) != 8:
        result.error(
            position,
            f"expected 8 figures (used, quota, limit, grace, files, quota, limit, grace), found {len(figures)}",
        )
        return None
    before = len(result.errors)
    over = any(figure.endswith("*") for figure in figures)
    used = _block(figures[0], "used", position, result)
    # "-" for both limits: lfs did not know them (the record says nothing about limits); 0 means no limit.
    unknown = [figure.rstrip("*") == "-" for figure in figures[1:3]]
    if unknown[0] != unknown[1]:
        result.error(position, f"block quota {figures[1]!r} and block limit {figures[2]!r}: only one is '-'")
    soft = _block(figures[1], "block quota", position, result, limit=True)
    hard = _block(figures[2], "block limit", position, result, limit=True)
    files = _count(figures[4], "files", position, result)
    for column, figure in ((3, figures[3]), (7, figures[7])):
        if not _GRACE.fullmatch(figure.rstrip("*")):
            # Grace is not imported; an unfamiliar spelling is worth a word, not a refusal.
            result.warn(position, f"grace {figure!r} (column {column + 2}) is not -, none, expired or a duration")
    for column, figure in ((5, "file quota"), (6, "file limit")):
        _count(figures[column], figure, position, result)
    if soft is not None and hard is not None and soft > hard:
        result.error(position, f"block quota {figures[1]} is above block limit {figures[2]}")
    if len(result.errors) > before or project is None:
        return None
    if over:
        result.warn(position, "over a quota (marked * by lfs)")
    return UsageRecord(
        position=position,
        pool=None,
        quota_key=project,
        measured_at=None,
        used_bytes=used,
        file_count=files,
        soft_limit_bytes=soft,
        hard_limit_bytes=hard,
        limits_reported=not unknown[0],
        # A title such as "prj scratch_nn1234k (pid 10001)": the allocation may carry the name instead.
        alternate_keys=(name,) if name else (),
    )


def _block(figure: str, column: str, position: str, result: ParseResult, *, limit: bool = False) -> int | None:
    """A block figure in bytes: KiB when bare, else a 1024-based suffix. A limit of 0 (or -) is no limit."""
    text = figure.rstrip("*")
    if limit and text == "-":
        return None  # checked by the caller: both limits unknown
    if text.isascii() and text.isdigit():
        value = int(text) * 1024
    elif text[:1] == "-" and text[1:2].isdigit():
        result.error(position, f"{column} is negative ({figure})")
        return None
    else:
        multiplier = _SUFFIXES.get(text[-1:].lower())
        number = text[:-1]
        if multiplier is None or not number or number[0] in "+-" or "_" in number:
            result.error(
                position, f"{column} {figure!r} is not a number of KiB or a size with a k, M, G, T or P suffix"
            )
            return None
        try:
            value = scale_decimal(number, multiplier)
        except ValueError:
            result.error(
                position, f"{column} {figure!r} is not a number of KiB or a size with a k, M, G, T or P suffix"
            )
            return None
    if value > MAX_BIGINT:
        result.error(position, f"{column} {figure} is too large: it does not fit a signed 64-bit integer")
        return None
    if limit and value == 0:
        return None
    return value


def _count(figure: str, column: str, position: str, result: ParseResult) -> int | None:
    text = figure.rstrip("*")
    if column != "files" and text == "-":
        return None
    if text[:1] == "-" and text[1:].isdigit():
        result.error(position, f"{column} is negative ({figure})")
        return None
    if not (text.isascii() and text.isdigit()):
        result.error(position, f"{column} {figure!r} is not a whole number")
        return None
    value = int(text)
    if value > MAX_BIGINT:
        result.error(position, f"{column} {figure} is too large: it does not fit a signed 64-bit integer")
        return None
    return value
