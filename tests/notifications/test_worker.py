"""The worker's periodic tasks and manage.py notify run the same pass; a dry run stores and sends nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.models import Allocation
from notifications.models import Delivery, Event, Preference, SubjectState
from tests.inventory.factories import TB

pytestmark = pytest.mark.django_db


def cross_90(allocation):
    Allocation.objects.filter(pk=allocation.pk).update(used_bytes=9 * TB, usage_measured_at=timezone.now())


def test_the_worker_task_evaluates_and_sends(inbox, team_allocation):
    from notifications.tasks import notify, notify_with_digests

    Preference.objects.create(user=team_allocation.project.principal_investigator, digest=True)
    cross_90(team_allocation)
    notify(timestamp=0)
    assert Event.objects.count() == 1 and len(inbox.messages) == 2  # member and manager; the PI waits
    notify_with_digests(timestamp=0)
    assert len(inbox.messages) == 3 and inbox.messages[-1].rcpt_tos == ["pia@example.org"]


def test_the_tasks_are_scheduled_periodically():
    from procrastinate.contrib.django import app

    from notifications import tasks

    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["notify"].cron == "*/5 * * * *" and periodic["notify"].task is tasks.notify
    assert periodic["notify-digest"].task is tasks.notify_with_digests
    assert tasks.notify.lock == tasks.notify_with_digests.lock  # passes never overlap


def test_command_dry_run_then_for_real(inbox, team_allocation, capsys):
    cross_90(team_allocation)
    call_command("notify", "--dry-run")
    out = capsys.readouterr().out
    assert "allocation_usage: " in out and "has used 90 % of its quota" in out
    assert "dry run, nothing stored or sent: 1 events, 3 deliveries" in out
    assert not Event.objects.exists() and not SubjectState.objects.exists() and inbox.messages == []

    call_command("notify")
    out = capsys.readouterr().out
    assert "1 events, 3 deliveries; sent 3, retrying 0, failed 0" in out
    assert Delivery.objects.filter(status="sent").count() == 3 and len(inbox.messages) == 3
    call_command("notify")
    assert "0 events, 0 deliveries; sent 0" in capsys.readouterr().out
