"""GET /metrics: Prometheus text from the dashboard's figures, behind a token or an allowed network."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from dashboard.selectors.storage import capacity_figures
from inventory.models import Allocation
from tests.dashboard.conftest import build_estate
from tests.inventory.factories import make_allocation, make_array, make_pool


def _samples(response) -> dict:
    """{(name, frozenset(labels)): value} of a scrape (parsed by prometheus-client's own parser)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_report_the_figures_with_labels(client, estate, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = _samples(response)
    for row in capacity_figures().pools:
        labels = {("array", row["array_slug"]), ("pool", row["pool_slug"])}
        assert samples[("capacity_pool_size_bytes", frozenset(labels))] == row["usable_bytes"]
        assert samples[("capacity_pool_allocated_bytes", frozenset(labels))] == row["allocated_bytes"]
        assert samples[("capacity_pool_used_bytes", frozenset(labels | {("kind", "logical")}))] == row["used_bytes"]
        physical = samples[("capacity_pool_used_bytes", frozenset(labels | {("kind", "physical")}))]
        assert physical == row["physical_used_bytes"]
    allocation = next(a for a in estate.allocations if a.used_bytes)
    labels = frozenset(
        {
            ("array", estate.array.slug),
            ("pool", allocation.pool.slug),
            ("team", allocation.project.team.slug),
            ("project", allocation.project.code),
            ("quota_id", allocation.quota_id),
        }
    )
    assert samples[("capacity_allocation_quota_bytes", labels)] == allocation.quota_bytes
    assert samples[("capacity_allocation_used_bytes", labels)] == allocation.used_bytes
    team = estate.teams[0]
    used = sum(a.used_bytes or 0 for a in estate.allocations if a.project.team_id == team.pk)
    assert samples[("capacity_team_used_bytes", frozenset({("team", team.slug)}))] == used
    # No per-person labels, and no collector samples while no collector is configured.
    text = response.content.decode()
    assert "user=" not in text and "pi=" not in text
    assert not any(line.startswith("capacity_collector_up{") for line in text.splitlines())


def test_outside_the_allowed_networks_a_token_is_needed(client, estate, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"}).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403


@pytest.mark.django_db
def test_metrics_run_a_fixed_number_of_queries(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    counts = []
    for teams in (1, 10):
        build_estate(teams=teams, sample_days=1)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/metrics").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_an_array_without_pools_is_not_a_broken_scrape(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    array = make_array()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert f'array="{array.slug}"' not in response.content.decode()


@pytest.mark.django_db
def test_label_values_are_escaped_and_unreported_allocations_have_no_used_sample(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    odd = 'fs1 "scratch"\\proj\nline2'
    allocation = make_allocation(pool=make_pool(), quota_id=odd, status=Allocation.Status.ACTIVE)
    response = client.get("/metrics")
    assert response.status_code == 200
    quota = {
        dict(labels)["quota_id"]: value
        for (name, labels), value in _samples(response).items()
        if name == "capacity_allocation_quota_bytes"
    }
    assert quota == {odd: allocation.quota_bytes}
    assert "capacity_allocation_used_bytes{" not in response.content.decode()
