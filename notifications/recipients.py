"""Who receives an event: people by e-mail (by the source's audience and their preferences) and webhooks."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from inventory.models import ResearchProject
from inventory.roles import ALLOCATION_MANAGERS, INFRASTRUCTURE_ADMINS
from notifications.models import Delivery, Event, Preference, Webhook
from notifications.registry import INFRASTRUCTURE, MANAGERS, SOURCES, TEAM


def _audience(event: Event) -> Q:
    audience = SOURCES[event.kind].audience if event.kind in SOURCES else TEAM
    who = Q(pk__in=list(getattr(event, "extra_user_ids", ())))
    if audience == TEAM and event.team_id:
        who |= Q(team_memberships__team_id=event.team_id)
    if audience == TEAM and event.project_id:
        who |= Q(pk__in=ResearchProject.objects.filter(pk=event.project_id).values("principal_investigator_id"))
    if audience == INFRASTRUCTURE:
        who |= Q(groups__name=INFRASTRUCTURE_ADMINS)
    if audience == MANAGERS:
        who |= Q(groups__name=ALLOCATION_MANAGERS)
    return who


def email_deliveries(event: Event) -> list[Delivery]:
    """One e-mail delivery per person in the event's audience who has an address and wants this kind."""
    if not settings.EMAIL_ENABLED:
        return []
    people = (
        get_user_model()
        .objects.filter(_audience(event), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
        .values_list("pk", "email")
    )
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=[pk for pk, _person in people])}
    deliveries = []
    for pk, email in people:
        preference = preferences.get(pk) or Preference(user_id=pk)
        if not preference.email_enabled or event.kind in preference.muted_kinds:
            continue
        deliveries.append(
            Delivery(event=event, channel=Delivery.Channel.EMAIL, recipient=email, user_id=pk, digest=preference.digest)
        )
    return deliveries


def webhook_deliveries(event: Event) -> list[Delivery]:
    """One delivery per enabled webhook of the event's team or pool."""
    hooks = Q(pk__in=[])
    if event.team_id:
        hooks |= Q(team_id=event.team_id)
    if event.pool_id:
        hooks |= Q(pool_id=event.pool_id)
    return [
        Delivery(event=event, channel=Delivery.Channel.WEBHOOK, recipient=hook.url, webhook=hook)
        for hook in Webhook.objects.filter(hooks, enabled=True).order_by("pk")
    ]


def fan_out(events: list[Event]) -> list[Delivery]:
    """Create the deliveries of *events* (pending; the send pass sends them)."""
    deliveries = []
    for event in events:
        deliveries += email_deliveries(event) + webhook_deliveries(event)
    for delivery in deliveries:
        # Due at the pass's own moment, so the same pass sends them.
        delivery.created_at = delivery.next_attempt_at = delivery.event.created_at
    return Delivery.objects.bulk_create(deliveries)
