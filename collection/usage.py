"""Hand one pool's collected quota records to the usage import: the same matching, checks and storing.

The quota records travel as the documented report the file import reads (DeviceManager ``FS_QUOTA`` with its
``QUOTATREE`` list, or Pacific ``fs_quota``), so a collection stores exactly what importing the same answer
from a file would. This is the only place that knows how: when the import service takes parsed records
directly, only ``import_pool_usage`` changes.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from collection.clients.snapshot import QuotaTree
from inventory.services.usage_import import ImportOutcome, Progress, import_usage_file


def import_pool_usage(
    *,
    kind: str,
    pool_slug: str,
    trees: Sequence[QuotaTree],
    quotas: Sequence[dict],
    measured_at: datetime.datetime,
    file_name: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import ``quotas`` (the array's own records, in order) as usage of the allocations on ``pool_slug``.

    Errors and drift come back positioned ``record N``: the N-th of ``quotas``, counted from 1.
    """
    envelope_key = "error" if kind == "oceanstor" else "result"
    report = json.dumps({"data": list(quotas), envelope_key: {"code": 0, "description": ""}}).encode()
    quota_trees = None
    if kind == "oceanstor":
        names = [{"ID": tree.id, "NAME": tree.name} for tree in trees]
        quota_trees = json.dumps({"data": names, "error": {"code": 0, "description": ""}}).encode()
    return import_usage_file(
        path_or_file=report,
        file_name=file_name,
        format=kind,
        pool_slug=pool_slug,
        quota_trees=quota_trees,
        measured_at=measured_at,
        dry_run=dry_run,
        progress=progress,
    )
