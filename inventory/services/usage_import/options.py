"""What an import is told besides its records: the format, the pool, the moment. Checked before reading."""

from __future__ import annotations

import datetime

from django.utils import timezone

from inventory.importers import FORMATS, Format
from inventory.models import StoragePool
from inventory.moments import EXAMPLE, future_reason, latest_acceptable


class Refused(Exception):
    """The import cannot start (bad options); the message says why."""


def check_format(name: str, *, quota_trees: bool = False) -> Format:
    fmt = FORMATS.get(name)
    if fmt is None:
        raise Refused(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}")
    if quota_trees and not fmt.takes_quota_trees:
        raise Refused(f"a quota-trees file applies to the oceanstor format only, not {name}")
    return fmt


def find_pool(slug: str | None) -> StoragePool | None:
    if not slug:
        return None
    pool = StoragePool.objects.filter(slug=slug).first()
    if pool is None:
        raise Refused(f"unknown pool {slug!r} (--pool): no storage pool has this slug")
    return pool


def default_moment(measured_at: datetime.datetime | None) -> datetime.datetime:
    """The moment for records that carry none: ``measured_at`` (never in the future), else now."""
    if measured_at is None:
        return timezone.now().replace(microsecond=0)
    if timezone.is_naive(measured_at):
        raise Refused(f"the moment (--measured-at) must carry a time zone, e.g. {EXAMPLE}")
    if measured_at > latest_acceptable():
        raise Refused(f"the moment (--measured-at) {future_reason(measured_at)}")
    return measured_at.astimezone(datetime.UTC)
