"""One notification pass, as the worker and ``manage.py notify`` run it: evaluate, then send what is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from notifications.engine import evaluate
from notifications.models import Delivery, Event
from notifications.sending import SendResult, send_digests, send_due


@dataclass
class PassResult:
    events: list[Event] = field(default_factory=list)
    deliveries: int = 0
    sent: SendResult = field(default_factory=SendResult)


class _DryRun(Exception):
    """Raised to roll back a dry run's writes."""


def run_pass(*, now: dt.datetime | None = None, digest: bool = False, dry_run: bool = False) -> PassResult:
    """Evaluate every source and send what is due (and the daily digests with *digest*).

    A dry run evaluates and reports what would fire and to whom, then rolls everything back and sends nothing.
    """
    now = now or timezone.now()
    result = PassResult()
    try:
        with transaction.atomic():
            result.events = evaluate(now=now)
            result.deliveries = Delivery.objects.filter(event__in=[e.pk for e in result.events]).count()
            if dry_run:
                raise _DryRun
    except _DryRun:
        return result
    result.sent = send_due(now=now)
    if digest:
        result.sent.add(send_digests(now=now))
    return result
