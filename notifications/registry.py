"""The event-source registry: adding a kind of notification is writing one decorated function.

A source is a function ``observe(now) -> Iterable[Observation]`` that gives the current *level* of every
subject whose figure is known (0 = below every mark). The engine (notifications/engine.py) fires an event when
a subject's level rises above the level stored for it, and re-arms (stores the lower level) when it falls back.
A subject the source does not observe (an allocation no longer reporting) keeps its stored level.

    @source("change_request_submitted", label="A change request was submitted", audience=MANAGERS)
    def change_requests(now):
        for request in ...:
            yield Observation(subject_id=request.pk, level=1, title=..., team_id=..., project_id=...)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

#: Who hears of an event besides the webhooks of its team and pool.
TEAM = "team"  # the members and managers of the event's team, and its project's principal investigator
INFRASTRUCTURE = "infrastructure"  # infrastructure admins (inventory/roles.py)
MANAGERS = "managers"  # allocation managers, who decide requests


@dataclass(frozen=True)
class Observation:
    """A subject's current level under one source, with the message to send should that level be new."""

    subject_id: int
    level: int
    title: str = ""
    body: str = ""
    url: str = ""
    team_id: int | None = None
    project_id: int | None = None
    pool_id: int | None = None
    #: Users told besides the audience (e.g. whoever asked for an allocation).
    user_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Source:
    """A registered kind of event: its name (``Event.kind``), what people see in their preferences, its audience."""

    kind: str
    label: str
    audience: str
    observe: Callable[[dt.datetime], Iterable[Observation]]


SOURCES: dict[str, Source] = {}


def source(kind: str, *, label: str, audience: str):
    """Register the decorated ``observe(now)`` function as the source of *kind* events."""

    def register(observe: Callable[[dt.datetime], Iterable[Observation]]):
        SOURCES[kind] = Source(kind=kind, label=label, audience=audience, observe=observe)
        return observe

    return register


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered source, for the preferences form and the admin's filters."""
    return [(s.kind, str(s.label)) for s in SOURCES.values()]


def level_of(value: int | float, marks: Iterable[int | float]) -> int:
    """How many of the ascending *marks* *value* has reached (value ≥ mark)."""
    return sum(1 for mark in marks if value >= mark)
