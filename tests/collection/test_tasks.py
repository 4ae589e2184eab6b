"""The worker's tasks, called as the worker calls them."""

from __future__ import annotations

import pytest

from collection.models import CollectionRun
from tests.collection.conftest import make_collector

pytestmark = pytest.mark.django_db


def test_worker_task_runs_a_collector_and_records_a_missing_password(dm_sim, inventory, tmp_path, monkeypatch):
    from collection.tasks import collect_array

    collector = make_collector(inventory["array"], dm_sim.url, tmp_path=tmp_path)
    collect_array(collector_id=collector.pk)
    assert CollectionRun.objects.get().outcome == CollectionRun.Outcome.SUCCEEDED

    collector.password_file, collector.password_env = "", "CAPACITY_TEST_UNSET_PASSWORD"
    collector.save()
    monkeypatch.delenv("CAPACITY_TEST_UNSET_PASSWORD", raising=False)
    collect_array(collector_id=collector.pk)
    failed = CollectionRun.objects.order_by("-started_at").first()
    assert failed.outcome == CollectionRun.Outcome.FAILED
    assert "CAPACITY_TEST_UNSET_PASSWORD is not set" in failed.errors[0]


def test_schedule_defers_one_job_per_due_collector(inventory, tmp_path):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from collection.tasks import schedule_collections

    collector = make_collector(inventory["array"], "http://127.0.0.1:9", tmp_path=tmp_path)
    schedule_collections(timestamp=0)
    schedule_collections(timestamp=60)  # still waiting: the queueing lock allows no second job

    jobs = list(ProcrastinateJob.objects.filter(task_name="collection.tasks.collect_array"))
    assert [(job.args, job.lock, job.status) for job in jobs] == [
        ({"collector_id": collector.pk}, f"collect-{collector.pk}", "todo")
    ]
