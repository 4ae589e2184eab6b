"""Import usage: parse a report (or take records already parsed), match, check, store; all or nothing.

The flow for one file (``import_usage_file``):

1. Check the options (format, ``--pool``, ``--measured-at``: never in the future), read the file and take
   its SHA-256. A format without moments imported without an explicit moment, whose identical content
   was imported into the same pool before, adds nothing and says so (``digest``).
2. Parse it with the format's parser (``inventory.importers``): every bad record is an error, and a file
   that is not that format is refused as a whole.
3. ``import_usage_records`` does the rest, also for records a collector read over REST: resolve pools
   and allocations in two queries (``matching``); refuse unknown pools and quota identifiers, records
   dated in the future and two records on the same (allocation, moment); compare with the samples already
   stored, skip identical ones and refuse conflicts; then ``COPY`` the new samples and bring the usage
   state up to date, in one transaction (``storing``, ``state``).

Every attempt is recorded as a ``UsageImport`` (``outcome``), failed ones too, with every message.
docs/formats.md describes the formats and these rules.
"""

from __future__ import annotations

import datetime
import os

from inventory.importers import RecordError, UsageRecord
from inventory.importers.base import ParseResult, Source, read_bytes
from inventory.models import StoragePool
from inventory.services.usage_import.digest import Digest, earlier_identical
from inventory.services.usage_import.matching import match
from inventory.services.usage_import.options import Refused, check_format, default_moment, find_pool
from inventory.services.usage_import.outcome import (
    STORED_MESSAGES,
    ImportOutcome,
    Progress,
    QuotaDrift,
    error_order,
    record_import,
)
from inventory.services.usage_import.storing import store

__all__ = ["STORED_MESSAGES", "ImportOutcome", "QuotaDrift", "import_usage_file", "import_usage_records"]


def import_usage_file(
    *,
    path_or_file: Source,
    file_name: str,
    format: str,
    pool_slug: str | None = None,
    quota_trees: Source | None = None,
    measured_at: datetime.datetime | None = None,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import one usage report; see the module docstring. Records the attempt as a UsageImport.

    ``path_or_file`` is a ``pathlib.Path``, an open binary file or the bytes themselves. ``measured_at`` is the
    moment for formats whose records carry none (default: now); it must be timezone-aware.
    """
    report = progress or (lambda message: None)
    outcome = ImportOutcome(file_name=file_name, format=format, dry_run=dry_run)
    pool: StoragePool | None = None
    try:
        fmt = check_format(format, quota_trees=quota_trees is not None)
        pool = find_pool(pool_slug)
        moment = default_moment(measured_at)
    except Refused as refusal:
        outcome.errors.append(RecordError("", str(refusal)))
        record_import(outcome, user=user, pool=pool)
        return outcome

    report("reading")
    data = read_bytes(_rewound(path_or_file))
    digest = Digest(data)
    # Without a moment of its own, the same content imported again would be new samples at a new moment.
    guard_digest = not fmt.carries_moment and measured_at is None and pool is not None
    if guard_digest:
        outcome.sha256 = digest.value
        outcome.identical_to = earlier_identical(outcome.sha256, pool)
        if outcome.identical_to is not None:
            record_import(outcome, user=user, pool=pool)
            return outcome
    parsed = fmt.read(data, quota_trees=_rewound(quota_trees) if quota_trees else None)
    outcome.sha256 = digest.value
    return _import_parsed(
        parsed, outcome, pool=pool, moment=moment, guard_digest=guard_digest, user=user, report=report
    )


def import_usage_records(
    *,
    records: list[UsageRecord],
    file_name: str,
    format: str,
    pool_slug: str | None = None,
    measured_at: datetime.datetime | None = None,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Match, check and store records already parsed (a collector's), exactly as a file's would be.

    ``file_name`` names where they came from (e.g. the array and request) in messages and in the recorded
    import; ``format`` is the report format they are in (it becomes the samples' source).
    """
    outcome = ImportOutcome(file_name=file_name, format=format, dry_run=dry_run)
    pool: StoragePool | None = None
    try:
        pool = find_pool(pool_slug)
        moment = default_moment(measured_at)
    except Refused as refusal:
        outcome.errors.append(RecordError("", str(refusal)))
        record_import(outcome, user=user, pool=pool)
        return outcome
    parsed = ParseResult(records=list(records))
    report = progress or (lambda message: None)
    return _import_parsed(parsed, outcome, pool=pool, moment=moment, guard_digest=False, user=user, report=report)


def _import_parsed(
    parsed: ParseResult,
    outcome: ImportOutcome,
    *,
    pool: StoragePool | None,
    moment: datetime.datetime,
    guard_digest: bool,
    user,
    report: Progress,
) -> ImportOutcome:
    outcome.records = len(parsed.records) + len({error.position for error in parsed.errors if error.position})
    outcome.errors.extend(parsed.errors)
    outcome.warnings.extend(parsed.warnings)
    report("matching")
    matched = match(parsed.records, default_pool=pool, moment=moment, outcome=outcome)
    # The import is listed under its pool: the --pool one, or the only one the records name.
    pool = pool or _single_pool(parsed.records)
    if matched:
        report("checking against stored samples")
        store(matched, parsed.records, outcome, user=user, pool=pool, guard_digest=guard_digest, report=report)
    else:
        record_import(outcome, user=user, pool=pool)
    outcome.errors.sort(key=error_order)
    return outcome


def _rewound(source: Source) -> Source:
    """Uploaded files may have been read already (validation); parsers read from the start."""
    if hasattr(source, "seek") and not isinstance(source, bytes | str | os.PathLike):
        source.seek(0)
    return source


def _single_pool(records: list[UsageRecord]) -> StoragePool | None:
    slugs = {record.pool for record in records}
    if len(slugs) != 1 or None in slugs:
        return None
    slug = next(iter(slugs))
    return StoragePool.objects.filter(slug__in={slug, slug.lower()}).order_by("-slug").first()
