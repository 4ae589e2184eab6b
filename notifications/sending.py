"""The send pass: deliver what is due, record each attempt, retry failures with a bounded exponential backoff.

A delivery is locked while it is sent (``skip_locked``), so the worker and ``manage.py notify`` running at
once never send one twice. After NOTIFICATIONS_ATTEMPTS failed attempts it is marked failed and kept, with
its last error, for the admin to see (and retry from the admin).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import ngettext

from notifications.channels import event_text, post_webhook, send_email
from notifications.models import Delivery

#: At most this many deliveries per pass (the rest wait for the next pass: a pass stays short).
BATCH = 500


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: SendResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


def _due(now: dt.datetime, *, digest: bool):
    return Delivery.objects.filter(status=Delivery.Status.PENDING, digest=digest, next_attempt_at__lte=now)


def _locked(queryset):
    """*queryset*'s rows locked for this transaction; rows another pass is sending are skipped."""
    return queryset.select_for_update(skip_locked=True, of=("self",)).select_related("event", "webhook")


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the *attempts*-th failure: NOTIFICATIONS_BACKOFF_SECONDS doubled each time."""
    return dt.timedelta(seconds=settings.NOTIFICATIONS_BACKOFF_SECONDS * 2 ** (attempts - 1))


def _record(deliveries: list[Delivery], error: Exception | None, *, now: dt.datetime) -> SendResult:
    result = SendResult()
    for delivery in deliveries:
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, now, ""
            result.sent += 1
        else:
            delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
            if delivery.attempts >= settings.NOTIFICATIONS_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
                result.failed += 1
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                result.retrying += 1
    Delivery.objects.bulk_update(deliveries, ["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return result


def _send_one(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.WEBHOOK:
        post_webhook(delivery.webhook, delivery.event)
    else:
        send_email(to=delivery.recipient, subject=delivery.event.title, body=event_text(delivery.event))


def send_due(*, now: dt.datetime) -> SendResult:
    """Send every single (not digest) delivery that is due, each in its own transaction.

    One transaction per delivery: what was sent stays recorded as sent even if the pass stops half-way.
    """
    result = SendResult()
    due = list(_due(now, digest=False).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    for pk in due:
        with transaction.atomic():
            delivery = _locked(_due(now, digest=False).filter(pk=pk)).first()
            if delivery is None:
                continue  # sent by another pass meanwhile
            try:
                _send_one(delivery)
            except Exception as error:  # noqa: BLE001 (any failure of the far end is recorded and retried)
                result.add(_record([delivery], error, now=now))
            else:
                result.add(_record([delivery], None, now=now))
    return result


def digest_text(deliveries: list[Delivery]) -> str:
    """One section per event, oldest first."""
    return "\n\n".join(f"{d.event.title}\n{event_text(d.event)}" for d in deliveries)


def send_digests(*, now: dt.datetime) -> SendResult:
    """Send each person's waiting digest deliveries as one e-mail (one transaction per person)."""
    result = SendResult()
    recipients = _due(now, digest=True).order_by("recipient").values_list("recipient", flat=True).distinct()
    for recipient in list(recipients[:BATCH]):
        with transaction.atomic():
            deliveries = list(
                _locked(_due(now, digest=True).filter(recipient=recipient)).order_by("event__created_at", "pk")
            )
            if not deliveries:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                subject = ngettext("%(count)d notification today", "%(count)d notifications today", len(deliveries)) % {
                    "count": len(deliveries)
                }
            try:
                send_email(to=recipient, subject=subject, body=digest_text(deliveries))
            except Exception as error:  # noqa: BLE001
                result.add(_record(deliveries, error, now=now))
            else:
                result.add(_record(deliveries, None, now=now))
    return result
