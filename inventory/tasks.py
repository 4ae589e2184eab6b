"""The worker's inventory tasks (procrastinate): keep the showback page's team rollup fresh.

Every minute ``refresh_showback`` refreshes the teams the database marked stale and works out a new month
once it has begun (inventory/services/team_showback.py). Until it has, the report works those figures out
from the allocations: the task only makes the page fast, never right.
"""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from inventory.services.team_showback import refresh_team_showback

logger = logging.getLogger(__name__)
QUEUE = "inventory"


@app.periodic(cron="* * * * *", periodic_id="showback")
@app.task(queue=QUEUE, lock="inventory-showback", queueing_lock="inventory-showback")
def refresh_showback(timestamp: int) -> None:
    refreshed = refresh_team_showback()
    if refreshed.months or refreshed.teams:
        logger.info(
            "showback rollup: %d months for every team, %d stale teams",
            len(refreshed.months),
            refreshed.teams,
        )
