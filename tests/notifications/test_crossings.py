"""An allocation crossing 80, 90 and 100 % of its quota: fires once per crossing, re-arms after falling back."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inventory.models import Allocation
from notifications.models import Delivery, Event, SubjectState
from notifications.passes import run_pass
from tests.inventory.factories import TB
from tests.notifications.conftest import recipients, subjects

pytestmark = pytest.mark.django_db


def report(allocation, used_bytes, *, measured_at=None):
    """The allocation's latest usage, as an import leaves it."""
    Allocation.objects.filter(pk=allocation.pk).update(
        used_bytes=used_bytes, usage_measured_at=measured_at or timezone.now()
    )


def usage_events():
    return list(Event.objects.filter(kind="allocation_usage").order_by("pk").values_list("level", flat=True))


def test_crossing_fires_once_reaches_the_team_and_the_pi_and_rearms(inbox, team_allocation):
    run_pass()
    assert usage_events() == [] and inbox.messages == []

    report(team_allocation, 8 * TB)  # exactly 80 %: reached
    run_pass()
    assert usage_events() == [1]
    assert recipients(inbox) == ["max@example.org", "mona@example.org", "pia@example.org"]
    code = team_allocation.project.code
    assert subjects(inbox)[0] == f"[Capacity] {code} on {team_allocation.pool.name} has used 80 % of its quota"

    run_pass()  # still above 80 %: nothing new
    report(team_allocation, int(8.5 * TB))
    run_pass()
    assert usage_events() == [1] and len(inbox.messages) == 3

    report(team_allocation, int(9.2 * TB))
    run_pass()
    assert usage_events() == [1, 2]

    report(team_allocation, 5 * TB)  # falls back below both marks: re-armed, nothing sent
    run_pass()
    assert usage_events() == [1, 2]
    assert SubjectState.objects.get(source="allocation_usage", subject_id=team_allocation.pk).level == 0

    report(team_allocation, int(8.1 * TB))  # crosses 80 % again: fires again
    run_pass()
    assert usage_events() == [1, 2, 1]
    assert len(inbox.messages) == 9
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Delivery.Status.SENT, 1)}


def test_a_jump_past_several_marks_fires_once_for_the_highest(inbox, team_allocation):
    report(team_allocation, 10 * TB)  # 100 %
    run_pass()
    assert usage_events() == [3]
    assert all("has used 100 % of its quota" in subject for subject in subjects(inbox))
    report(team_allocation, int(9.5 * TB))  # falls to 95 %: re-arms only the 100 % mark
    run_pass()
    report(team_allocation, 11 * TB)
    run_pass()
    assert usage_events() == [3, 3]


def test_an_allocation_that_stops_reporting_neither_fires_nor_rearms(inbox, team_allocation, settings):
    report(team_allocation, 9 * TB)
    run_pass()
    assert usage_events() == [2]
    stale = timezone.now() - timezone.timedelta(days=settings.CAPACITY_STALENESS_DAYS + 1)
    report(team_allocation, 1 * TB, measured_at=stale)  # not reporting: its usage is not known now
    run_pass()
    assert SubjectState.objects.get(source="allocation_usage", subject_id=team_allocation.pk).level == 2
    report(team_allocation, 9 * TB)
    run_pass()
    assert usage_events() == [2]


def test_people_without_email_or_who_muted_the_kind_get_nothing(inbox, team_allocation):
    from notifications.models import Preference

    mona = team_allocation.project.team.members.get(username="mona")
    Preference.objects.create(user=mona, muted_kinds=["allocation_usage"])
    max_ = team_allocation.project.team.members.get(username="max")
    Preference.objects.create(user=max_, email_enabled=False)
    pia = team_allocation.project.principal_investigator
    pia.email = ""
    pia.save()
    report(team_allocation, 9 * TB)
    run_pass()
    assert usage_events() == [2] and inbox.messages == []
