"""Notification e-mails are written in the site's language (settings.LANGUAGE_CODE), whoever runs the pass."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from inventory.models import Allocation
from notifications.models import Event, Preference
from notifications.passes import run_pass
from tests.locales import LANGUAGES
from tests.notifications.conftest import parsed, subjects

pytestmark = pytest.mark.django_db


def cross_90(allocation):
    Allocation.objects.filter(pk=allocation.pk).update(used_bytes=9 * 10**12, usage_measured_at=timezone.now())


def test_a_site_in_bokmal_sends_its_email_in_bokmal(inbox, team_allocation, settings):
    settings.LANGUAGES, settings.LANGUAGE_CODE = LANGUAGES, "nb"
    cross_90(team_allocation)
    run_pass()
    code, pool = team_allocation.project.code, team_allocation.pool.name
    assert set(subjects(inbox)) == {f"[Capacity] {code} i {pool} har brukt 90 % av kvoten sin"}
    body = parsed(inbox.messages[0]).get_content()
    assert f"{code} i poolen {pool} bruker 9.00 TB av kvoten sin på 10.0 TB." in body  # SI symbols kept


def test_the_daily_digest_subject_in_bokmal(inbox, team_allocation, settings):
    settings.LANGUAGES, settings.LANGUAGE_CODE = LANGUAGES, "nb"
    Preference.objects.create(user=team_allocation.project.principal_investigator, digest=True)
    cross_90(team_allocation)
    run_pass(digest=True)
    assert "[Capacity] 1 varsel i dag" in subjects(inbox)


def test_events_follow_the_site_language_not_the_language_of_whoever_runs_the_pass(inbox, team_allocation):
    cross_90(team_allocation)
    with translation.override("nb"):
        run_pass()
    event = Event.objects.get()
    assert event.title.endswith("has used 90 % of its quota")  # LANGUAGE_CODE is English
