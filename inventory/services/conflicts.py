"""Writes that lost a race: a deadlock or serialization failure is tried once more, then explained.

PostgreSQL aborts one of two transactions that wait for each other ("deadlock detected", SQLSTATE 40P01)
or that cannot both be serialized (40001). Such a failure says nothing about the data: the same write,
tried again on a fresh transaction, usually succeeds. Every write path that is not the admin's change form
(which retries the whole POST itself, see inventory.admin.base) goes through ``retry_on_conflict``: admin
actions, the API, the request queue. The lock order that makes deadlocks rare is in
inventory.services.capacity.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils.translation import gettext, gettext_noop

#: PostgreSQL's "deadlock detected" and "could not serialize access".
CONCURRENCY_SQLSTATES = frozenset({"40P01", "40001"})

# English here (a constant that tests and callers compare); gettext(BUSY_MESSAGE) where it is shown.
BUSY_MESSAGE = gettext_noop(
    "Someone else was changing the same pool or array at the same moment, and this save could not be "
    "completed even on a second try. Nothing was saved; check the figures and save again."
)


def is_concurrency_failure(error: OperationalError) -> bool:
    """A deadlock or serialization failure: worth trying again, it says nothing about the data."""
    return getattr(error.__cause__, "sqlstate", None) in CONCURRENCY_SQLSTATES


class ConcurrentChange(ValidationError):
    """The write lost a race twice; nothing was written (code ``concurrent_change``)."""

    def __init__(self):
        super().__init__(gettext(BUSY_MESSAGE), code="concurrent_change")


def retry_on_conflict[T](write: Callable[[], T], *, attempts: int = 2) -> T:
    """Run *write* (a service call that opens its own transaction); retry a lost race, then refuse.

    Only outside a transaction: inside one, the failure has aborted the caller's transaction too, and
    retrying there would only fail again, so the error goes up unchanged for the outer caller to handle.
    """
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except OperationalError as error:
            if not is_concurrency_failure(error) or connection.in_atomic_block:
                raise
            if attempt == attempts:
                raise ConcurrentChange() from error
    raise AssertionError("unreachable")  # pragma: no cover
