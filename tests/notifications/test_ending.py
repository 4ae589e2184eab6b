"""An allocation ending in 30, 14, 7 and 0 days: one reminder at each mark; a later end date re-arms them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inventory.models import Allocation
from notifications.models import Event
from notifications.passes import run_pass
from tests.notifications.conftest import subjects

pytestmark = pytest.mark.django_db


def test_reminders_at_30_14_7_and_0_days(inbox, team_allocation):
    now = timezone.now()
    end = now.astimezone(dt.UTC).date() + dt.timedelta(days=40)
    Allocation.objects.filter(pk=team_allocation.pk).update(end_date=end)
    code = team_allocation.project.code

    for day in range(41):  # one pass a day, from 40 days before the end to the end day
        run_pass(now=now + dt.timedelta(days=day))

    events = Event.objects.filter(kind="allocation_ending").order_by("pk")
    assert [e.level for e in events] == [1, 2, 3, 4]
    assert [e.title.split(" ends ")[1] for e in events] == ["in 30 days", "in 14 days", "in 7 days", "today"]
    assert events[0].title == f"{code} on {team_allocation.pool.name} ends in 30 days"
    # Each reminder once to the member, the manager and the PI.
    assert len([s for s in subjects(inbox) if " ends " in s]) == 4 * 3


def test_a_later_end_date_rearms_the_reminders(inbox, team_allocation):
    today = timezone.now().astimezone(dt.UTC).date()
    Allocation.objects.filter(pk=team_allocation.pk).update(end_date=today + dt.timedelta(days=10))
    run_pass()
    assert list(Event.objects.values_list("level", flat=True)) == [2]  # within 14 days: one reminder, not two
    Allocation.objects.filter(pk=team_allocation.pk).update(end_date=today + dt.timedelta(days=100))
    run_pass()
    Allocation.objects.filter(pk=team_allocation.pk).update(end_date=today + dt.timedelta(days=25))
    run_pass()
    assert list(Event.objects.order_by("pk").values_list("level", flat=True)) == [2, 1]
