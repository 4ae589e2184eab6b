"""Which collectors are due."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from collection.models import CollectionRun
from collection.services.schedule import due_collectors
from tests.collection.conftest import make_collector

pytestmark = pytest.mark.django_db


def test_due_collectors(inventory, tmp_path):
    collector = make_collector(inventory["array"], "http://127.0.0.1:9", tmp_path=tmp_path)
    now = timezone.now()
    assert due_collectors(now=now) == [collector.pk]
    CollectionRun.objects.create(array=collector.array, collector=collector, kind="oceanstor", started_at=now)
    assert due_collectors(now=now + datetime.timedelta(minutes=14)) == []
    assert due_collectors(now=now + datetime.timedelta(minutes=15)) == [collector.pk]
    collector.enabled = False
    collector.save()
    assert due_collectors(now=now + datetime.timedelta(minutes=15)) == []
