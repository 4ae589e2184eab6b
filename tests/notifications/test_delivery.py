"""Webhooks (a real HTTP receiver), retries with backoff, failures recorded, and the daily digest (a real SMTP server)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from django.utils import timezone

from inventory.models import Allocation
from notifications.models import Delivery, Preference, Webhook
from notifications.passes import run_pass
from tests.inventory.factories import TB
from tests.notifications.conftest import parsed, recipients

pytestmark = pytest.mark.django_db


def cross_90(allocation):
    Allocation.objects.filter(pk=allocation.pk).update(used_bytes=9 * TB, usage_measured_at=timezone.now())


def test_webhook_json_for_slack_mattermost_and_teams(receiver, team_allocation, settings):
    settings.NOTIFICATIONS_SITE_URL = "https://capacity.example.org/"
    team, pool = team_allocation.project.team, team_allocation.pool
    pool.name = "R&D <fast>"
    pool.save()
    Webhook.objects.create(name="slack", url=receiver.url, flavour="slack", team=team, secret="s3cret")
    Webhook.objects.create(name="mm", url=receiver.url, flavour="mattermost", pool=pool)
    Webhook.objects.create(name="teams", url=receiver.url, flavour="teams", team=team)
    Webhook.objects.create(name="off", url=receiver.url, team=team, enabled=False)
    cross_90(team_allocation)
    run_pass()

    slack, mattermost, teams = receiver.json()
    code = team_allocation.project.code
    title = f"{code} on {pool.name} has used 90 % of its quota"
    link = f"https://capacity.example.org/projects/{code}/"
    slack_title = f"{code} on R&amp;D &lt;fast&gt; has used 90 % of its quota"  # Slack's markup escaped
    assert slack == {
        "text": f"*{slack_title}*\n{code} on pool R&amp;D &lt;fast&gt; uses 9.00 TB of its 10.0 TB quota.\n{link}"
    }
    assert mattermost["text"].startswith(f"**{title}**\n")
    assert teams["type"] == "message"
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["body"][0]["text"] == title

    first = receiver.requests[0]
    assert first["headers"]["Content-Type"] == "application/json"
    expected = hmac.new(b"s3cret", first["body"], hashlib.sha256).hexdigest()
    assert first["headers"]["X-Capacity-Signature"] == f"sha256={expected}"
    assert "X-Capacity-Signature" not in receiver.requests[1]["headers"]
    assert Delivery.objects.filter(channel="webhook", status="sent").count() == 3


def test_a_failed_webhook_is_retried_with_backoff_and_recorded(receiver, team_allocation, settings):
    settings.NOTIFICATIONS_BACKOFF_SECONDS = 60
    Webhook.objects.create(name="slack", url=receiver.url, team=team_allocation.project.team)
    receiver.statuses = [500, 503]
    cross_90(team_allocation)
    now = timezone.now()
    run_pass(now=now)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=60)

    run_pass(now=now + dt.timedelta(seconds=30))  # not due yet
    assert len(receiver.requests) == 1
    run_pass(now=now + dt.timedelta(seconds=60))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending", 2, now + dt.timedelta(seconds=60 + 120),
    )  # fmt: skip
    assert "503" in delivery.last_error
    run_pass(now=now + dt.timedelta(seconds=180))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert delivery.sent_at == now + dt.timedelta(seconds=180)
    assert len(receiver.requests) == 3 and len({r["body"] for r in receiver.requests}) == 1


def test_a_refused_webhook_gives_up_after_the_last_attempt(refused_url, team_allocation, settings):
    settings.NOTIFICATIONS_ATTEMPTS = 2
    settings.NOTIFICATIONS_BACKOFF_SECONDS = 0
    Webhook.objects.create(name="gone", url=refused_url, pool=team_allocation.pool)
    cross_90(team_allocation)
    run_pass()
    run_pass()
    run_pass()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("failed", 2, None)
    assert "ConnectionError" in delivery.last_error and "refused" in delivery.last_error.lower()


def test_an_unreachable_mail_server_is_recorded_and_retried(team_allocation, settings, refused_url):
    from config.email import mailers_from_url
    from tests.config.servers import free_port

    settings.EMAIL_ENABLED = True
    settings.MAILERS = mailers_from_url(f"smtp://127.0.0.1:{free_port()}")
    cross_90(team_allocation)
    run_pass()
    errors = set(Delivery.objects.values_list("status", "attempts", "channel"))
    assert errors == {("pending", 1, "email")}
    assert all("refused" in e.lower() for e in Delivery.objects.values_list("last_error", flat=True))


def test_digest_collects_a_persons_events_into_one_email(inbox, team_allocation):
    mona = team_allocation.project.team.members.get(username="mona")
    Preference.objects.create(user=mona, digest=True)
    cross_90(team_allocation)
    run_pass()
    Allocation.objects.filter(pk=team_allocation.pk).update(
        end_date=timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=5)
    )
    run_pass()
    assert "mona@example.org" not in recipients(inbox)  # the others got single messages
    assert len(inbox.messages) == 4

    run_pass(digest=True)
    digests = [e for e in inbox.messages if e.rcpt_tos == ["mona@example.org"]]
    assert len(digests) == 1
    message = parsed(digests[0])
    assert message["Subject"] == "[Capacity] 2 notifications today"
    body = message.get_content()
    assert "has used 90 % of its quota" in body and "ends in 5 days" in body
    assert body.index("90 %") < body.index("ends in 5 days")  # oldest first
    assert set(Delivery.objects.filter(user=mona).values_list("status", "digest")) == {("sent", True)}
    run_pass(digest=True)
    assert len(inbox.messages) == 5
