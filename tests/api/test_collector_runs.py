"""Collector runs through the API, and the collectors' metrics on /metrics."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from collection.models import CollectionRun, Collector
from tests.api.conftest import bearer
from tests.inventory.factories import make_array


def _collector(array, **fields) -> Collector:
    return Collector.objects.create(
        array=array, kind="oceanstor", base_url="https://array.example.org:8088/", username="monitor",
        password_env="ARRAY_PASSWORD", **fields,
    )  # fmt: skip


def _run(array, collector, outcome, minutes_ago, **fields) -> CollectionRun:
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return CollectionRun.objects.create(
        array=array, collector=collector, kind="oceanstor", started_at=started,
        finished_at=started + datetime.timedelta(seconds=20), outcome=outcome, **fields,
    )  # fmt: skip


def _runs(count: int) -> list[CollectionRun]:
    runs = []
    for n in range(count):
        array = make_array()
        collector = _collector(array)
        runs.append(_run(array, collector, CollectionRun.Outcome.SUCCEEDED, 30 + n, samples_added=n))
        runs.append(_run(array, collector, CollectionRun.Outcome.FAILED, 5 + n, errors=[f"{array.slug}: busy"]))
    return runs


def test_collector_runs_list_newest_first_with_counts_and_errors(client, infra):
    runs = _runs(2)
    response = client.get("/api/v1/collector-runs/", headers=bearer(infra))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    first = body["results"][0]
    assert first["outcome"] == "failed" and first["errors"] == [f"{runs[1].array.slug}: busy"]
    assert first["array"] == runs[1].array.slug
    assert [r["started_at"] for r in body["results"]] == sorted(
        (r["started_at"] for r in body["results"]), reverse=True
    )


def test_collector_runs_filter_by_array_and_outcome(client, infra):
    runs = _runs(2)
    slug = runs[0].array.slug
    body = client.get("/api/v1/collector-runs/", {"array": slug, "outcome": "succeeded"}, headers=bearer(infra)).json()
    assert [r["id"] for r in body["results"]] == [runs[0].pk]
    bad = client.get("/api/v1/collector-runs/", {"outcome": "exploded"}, headers=bearer(infra))
    assert bad.status_code == 400 and "outcome" in bad.json()


def test_collector_runs_need_the_view_permission(client, reader, manager, infra):
    _runs(1)
    assert client.get("/api/v1/collector-runs/").status_code == 401
    assert client.get("/api/v1/collector-runs/", headers=bearer(reader)).status_code == 403
    assert client.get("/api/v1/collector-runs/", headers=bearer(infra)).status_code == 200


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_collector_runs_and_metrics_run_a_fixed_number_of_queries(client, infra, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client.force_login(infra)
    _runs(2)
    small = [_queries(client, "/api/v1/collector-runs/"), _queries(client, "/metrics")]
    _runs(20)
    assert [_queries(client, "/api/v1/collector-runs/"), _queries(client, "/metrics")] == small


def _metric(text: str, name: str) -> dict:
    return {
        sample.labels["array"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


@pytest.mark.django_db
def test_metrics_say_when_each_collector_last_succeeded_and_whether_it_is_up(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    healthy, failing, stale, never = (make_array() for _ in range(4))
    success = _run(healthy, _collector(healthy), CollectionRun.Outcome.SUCCEEDED, 3)
    failing_collector = _collector(failing)
    _run(failing, failing_collector, CollectionRun.Outcome.SUCCEEDED, 10)
    _run(failing, failing_collector, CollectionRun.Outcome.FAILED, 2)
    # Succeeded, but longer ago than twice its 15-minute interval: stale, so not up.
    _run(stale, _collector(stale, interval=datetime.timedelta(minutes=15)), CollectionRun.Outcome.SUCCEEDED, 45)
    _collector(never)

    text = client.get("/metrics").content.decode()
    last = _metric(text, "capacity_collector_last_success_timestamp_seconds")
    assert last[healthy.slug] == pytest.approx(success.finished_at.timestamp())
    assert never.slug not in last and set(last) == {healthy.slug, failing.slug, stale.slug}
    up = _metric(text, "capacity_collector_up")
    assert up == {healthy.slug: 1, failing.slug: 0, stale.slug: 0, never.slug: 0}
