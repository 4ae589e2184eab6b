"""The engine: a new source is one function; a pass's queries do not grow with the number of subjects."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Event
from notifications.passes import run_pass
from notifications.registry import MANAGERS, SOURCES, Observation, kind_choices, source
from tests.inventory.factories import TB, make_allocation, make_pool
from tests.notifications.conftest import recipients

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_source():
    """A source registered the way a new app registers one, removed afterwards."""
    levels: dict[int, int] = {}

    @source("change_request_submitted", label="A change request is submitted", audience=MANAGERS)
    def change_requests(now):
        for subject_id, level in levels.items():
            yield Observation(subject_id=subject_id, level=level, title=f"change request {subject_id}")

    yield levels
    del SOURCES["change_request_submitted"]


def test_a_registered_source_fires_reaches_its_audience_and_is_a_preference(inbox, allocation_manager, extra_source):
    assert ("change_request_submitted", "A change request is submitted") in kind_choices()
    extra_source[7] = 1
    run_pass()
    run_pass()
    assert list(Event.objects.values_list("kind", "subject_id")) == [("change_request_submitted", 7)]
    assert recipients(inbox) == ["magnus@example.org"]


def test_a_pass_runs_the_same_queries_for_few_or_many_subjects_below_their_marks(inbox):
    pool = make_pool(capacity=1000 * TB)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            run_pass()
        return len(captured)

    make_allocation(pool=pool, used_bytes=TB)
    queries()  # the first pass stores nothing new either: levels 0 are the default
    few = queries()
    for _ in range(20):
        make_allocation(pool=pool, used_bytes=TB)
    assert queries() == few
    assert not Event.objects.exists()
