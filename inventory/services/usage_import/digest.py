"""The SHA-256 of an imported file, and the earlier import of identical content into the same pool.

A report without moments of its own (lfs, OceanStor, Pacific) gets the moment of its import: importing
the same file twice would add the same figures twice at two moments. Every successful import records its
file's digest per pool, and a file with a digest already imported into that pool, imported again without
an explicit moment, adds nothing. Hashing runs in a thread while the file is parsed (hashlib releases the
GIL on large buffers), so large XDMoD files pay nothing for it.
"""

from __future__ import annotations

import hashlib
import threading

from inventory.models import StoragePool, UsageImport


class Digest:
    """The SHA-256 of ``data``, computed in the background from construction on."""

    def __init__(self, data: bytes) -> None:
        self._value = ""
        self._thread = threading.Thread(target=self._compute, args=(data,), daemon=True)
        self._thread.start()

    def _compute(self, data: bytes) -> None:
        self._value = hashlib.sha256(data).hexdigest()

    @property
    def value(self) -> str:
        self._thread.join()
        return self._value


def earlier_identical(sha256: str, pool: StoragePool) -> UsageImport | None:
    """The first successful import of content with this digest into ``pool``, if any."""
    if not sha256:
        return None
    return (
        UsageImport.objects.filter(sha256=sha256, pool=pool, outcome=UsageImport.Outcome.SUCCEEDED)
        .order_by("created_at", "pk")
        .first()
    )
