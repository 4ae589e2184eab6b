"""The two channels: an e-mail through the configured mailer (EMAIL_URL), a JSON POST to a chat webhook.

Slack and Mattermost incoming webhooks take ``{"text": ...}`` (Markdown-like); Microsoft Teams Workflows
webhooks take a message with an Adaptive Card attachment. Plain ``requests`` is enough for these three shapes
(docs/notifications.md explains why not apprise).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from notifications.models import Event, Webhook

SIGNATURE_HEADER = "X-Capacity-Signature"


def link(event: Event) -> str:
    """The event's page as an absolute address, where NOTIFICATIONS_SITE_URL says where the site lives."""
    base = settings.NOTIFICATIONS_SITE_URL.rstrip("/")
    return f"{base}{event.url}" if base and event.url else ""


def event_text(event: Event) -> str:
    """The plain-text body of one event (its link last, when known)."""
    return "\n".join(part for part in (event.body, link(event)) if part)


def send_email(*, to: str, subject: str, body: str) -> None:
    """Send one message through the default mailer; raises on any SMTP error."""
    EmailMessage(subject=f"[Capacity] {subject}", body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send(
        fail_silently=False
    )


def webhook_payload(event: Event, flavour: str) -> dict:
    """The JSON a chat system's incoming webhook accepts for *event*."""
    text = event_text(event)
    if flavour == Webhook.Flavour.TEAMS:
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": event.title, "weight": "Bolder", "wrap": True},
                {"type": "TextBlock", "text": text, "wrap": True},
            ],
        }
        return {
            "type": "message",
            "text": event.title,
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
    if flavour == Webhook.Flavour.MATTERMOST:
        return {"text": f"**{event.title}**\n{text}"}
    # Slack reads &, < and > as markup (links, mentions): names that contain them are escaped.
    return {"text": _slack_escape(f"*{event.title}*\n{text}")}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_webhook(webhook: Webhook, event: Event) -> None:
    """POST the event to the webhook; raises on a refused connection, a timeout or an answer other than 2xx."""
    body = json.dumps(webhook_payload(event, webhook.flavour)).encode()
    headers = {"Content-Type": "application/json"}
    if webhook.secret:
        digest = hmac.new(webhook.secret.encode(), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
    response = requests.post(
        webhook.url, data=body, headers=headers, timeout=settings.NOTIFICATIONS_TIMEOUT_SECONDS, allow_redirects=False
    )
    if not 200 <= response.status_code < 300:
        raise requests.HTTPError(f"{response.status_code} {response.reason}: {response.text[:200]}")
