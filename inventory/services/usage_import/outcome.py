"""What came of one import (``ImportOutcome``), and the ``UsageImport`` row that records it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from inventory.importers import RecordError, RecordWarning
from inventory.importers.base import position_order
from inventory.models import StoragePool, UsageImport
from inventory.units import format_capacity

#: At most this many messages are kept on the UsageImport row (a million-record file can fail a million
#: times; the command and the admin page still show them all).
STORED_MESSAGES = 1000

Progress = Callable[[str], None]


@dataclass(slots=True, frozen=True)
class QuotaDrift:
    """An allocation whose storage system enforces another hard limit than the quota promised."""

    position: str
    allocation_id: int
    quota_key: str
    enforced_bytes: int
    promised_bytes: int

    @property
    def message(self) -> str:
        return (
            f"quota drift on {self.quota_key}: the array enforces {format_capacity(self.enforced_bytes)} "
            f"but the allocation promises {format_capacity(self.promised_bytes)}"
        )


@dataclass(slots=True)
class ImportOutcome:
    """What came of importing one file. ``ok`` is true only when nothing was wrong."""

    file_name: str
    format: str
    dry_run: bool = False
    records: int = 0
    added: int = 0
    skipped: int = 0
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[RecordWarning] = field(default_factory=list)
    drift: list[QuotaDrift] = field(default_factory=list)
    usage_import: UsageImport | None = None
    #: The SHA-256 of the file's content ("" for records that came from no file).
    sha256: str = ""
    #: The earlier import of identical content into the same pool, when this one was therefore skipped.
    identical_to: UsageImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def outcome(self) -> str:
        if self.errors:
            return UsageImport.Outcome.FAILED
        return UsageImport.Outcome.DRY_RUN if self.dry_run else UsageImport.Outcome.SUCCEEDED

    @property
    def other_warnings(self) -> list[RecordWarning]:
        """The warnings that are not quota drift (pages show drift in a table of its own)."""
        drift = {(item.position, item.message) for item in self.drift}
        return [warning for warning in self.warnings if (warning.position, warning.message) not in drift]

    @property
    def identical_message(self) -> str:
        """Why nothing was added: the same content went into the same pool before ("" if it did not)."""
        earlier = self.identical_to
        if earlier is None:
            return ""
        when = earlier.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        nothing = "nothing would be added" if self.dry_run else "nothing added"
        return f"identical to the file imported on {when} as {earlier.file_name}: {nothing}"

    def summary(self) -> str:
        """One line: what was (or, in a dry run, would be) written."""
        if self.errors:
            return (
                f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}, nothing written "
                f"({self.records} records read)"
            )
        if self.identical_to is not None:
            return self.identical_message
        verb = "would add" if self.dry_run else "added"
        text = (
            f"{verb} {self.added}, skipped {self.skipped} already present, "
            f"{len(self.drift)} quota drift warning{'s' if len(self.drift) != 1 else ''}"
        )
        return text + (" (dry run: nothing written)" if self.dry_run else "")


def new_import(outcome: ImportOutcome, *, user, pool: StoragePool | None) -> UsageImport:
    """The UsageImport row for ``outcome`` (inside the data transaction when the import writes)."""
    return UsageImport.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        file_name=outcome.file_name[:500],
        format=outcome.format[:20],
        pool=pool,
        outcome=outcome.outcome,
        records=outcome.records,
        added=outcome.added,
        skipped=outcome.skipped,
        drift_warnings=len(outcome.drift),
        error_count=len(outcome.errors),
        messages=_messages(outcome),
        sha256=outcome.sha256,
    )


def record_import(outcome: ImportOutcome, *, user, pool: StoragePool | None) -> None:
    """Record a failed, dry-run or skipped import (its own small transaction: no data was written)."""
    outcome.errors.sort(key=error_order)
    outcome.usage_import = new_import(outcome, user=user, pool=pool)


def _messages(outcome: ImportOutcome) -> list[str]:
    messages = [str(error) for error in outcome.errors] + [f"warning: {warning}" for warning in outcome.warnings]
    if outcome.identical_to is not None:
        messages.insert(0, outcome.identical_message)
    if len(messages) > STORED_MESSAGES:
        rest = len(messages) - STORED_MESSAGES
        messages = messages[:STORED_MESSAGES] + [f"... and {rest} more"]
    return messages


def error_order(error: RecordError) -> tuple[int, int]:
    return position_order(error.position)


def others(positions: list[str]) -> str:
    """`` (and 3 more records)`` after the first of several records with the same problem."""
    extra = len(positions) - 1
    if extra <= 0:
        return ""
    return f" (and {extra} more record{'s' if extra != 1 else ''})"
