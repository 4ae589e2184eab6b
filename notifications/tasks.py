"""The worker's notification tasks (procrastinate): a pass every five minutes, the digests once a day.

Both share one lock, so passes never overlap; each pass also sends the retries that have come due.
"""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from notifications.passes import run_pass

logger = logging.getLogger(__name__)
QUEUE = "notifications"
LOCK = "notifications-pass"


@app.periodic(cron="*/5 * * * *", periodic_id="notify")
@app.task(queue=QUEUE, lock=LOCK, queueing_lock="notifications-notify")
def notify(timestamp: int) -> None:
    _log(run_pass())


@app.periodic(cron="0 6 * * *", periodic_id="notify-digest")
@app.task(queue=QUEUE, lock=LOCK, queueing_lock="notifications-digest")
def notify_with_digests(timestamp: int) -> None:
    _log(run_pass(digest=True))


def _log(result) -> None:
    logger.info(
        "notifications: %d events, %d sent, %d to retry, %d failed",
        len(result.events),
        result.sent.sent,
        result.sent.retrying,
        result.sent.failed,
    )
