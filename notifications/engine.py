"""One evaluation: observe every source, fire an event for each rise in level, store every change of level.

Per source this is one read of its observations, one read of its stored states and one upsert of the
changed ones, whatever the number of subjects; only the events that fire are written one by one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import translation

from notifications.models import Event, SubjectState
from notifications.recipients import fan_out
from notifications.registry import SOURCES, Source


def evaluate(*, now: dt.datetime) -> list[Event]:
    """Fire the events of every registered source at *now*, with their deliveries; returns the events.

    Each source in its own transaction: its new levels, events and deliveries are stored together or not at all.
    An event's title and text are written once, in the site's language (settings.LANGUAGE_CODE), whoever runs
    the pass: they are stored and sent as they are to every recipient.
    """
    events: list[Event] = []
    with translation.override(settings.LANGUAGE_CODE):
        for source in SOURCES.values():
            with transaction.atomic():
                fired = _evaluate_source(source, now=now)
                fan_out(fired)
            events.extend(fired)
    return events


def _evaluate_source(source: Source, *, now: dt.datetime) -> list[Event]:
    observed = {o.subject_id: o for o in source.observe(now)}
    # Locked so that two passes (worker and command) cannot both fire the same crossing.
    stored = dict(
        SubjectState.objects.select_for_update().filter(source=source.kind).values_list("subject_id", "level")
    )
    changed: list[SubjectState] = []
    events: list[Event] = []
    for subject_id, observation in observed.items():
        before = stored.get(subject_id, 0)
        if observation.level == before:
            continue
        changed.append(SubjectState(source=source.kind, subject_id=subject_id, level=observation.level, changed_at=now))
        if observation.level > before:
            events.append(_event(source, observation, now=now))
    SubjectState.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["source", "subject_id"],
        update_fields=["level", "changed_at"],
    )
    for event in events:
        event.save()
    return events


def _event(source: Source, observation, *, now: dt.datetime) -> Event:
    event = Event(
        kind=source.kind,
        subject_id=observation.subject_id,
        level=observation.level,
        title=observation.title[:300],
        body=observation.body,
        url=observation.url,
        team_id=observation.team_id,
        project_id=observation.project_id,
        pool_id=observation.pool_id,
        created_at=now,
    )
    # Not a field: who is told besides the audience, read by the fan-out in the same pass.
    event.extra_user_ids = observation.user_ids
    return event
