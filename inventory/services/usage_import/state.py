"""Everything an import changes besides the samples themselves: the one usage-state service's job.

After the COPY, the allocations' latest usage, what their arrays are known to enforce, and the daily
rollups of the days the new samples touch (and carry into) follow the samples. The import hands that
to inventory/services/usage_state.py, the single owner of usage state that every writer of samples calls.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from inventory.services.usage_state import refresh_usage_state


def apply_usage_state(*, allocation_ids: list[int], days: Iterable[datetime.date]) -> None:
    """Inside the import's transaction, after its samples are stored (the allocations are locked)."""
    refresh_usage_state(allocation_ids=allocation_ids, sample_days=days)
