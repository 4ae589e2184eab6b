"""The read endpoints over HTTP: the dashboard's figures, filters, pagination, and fixed query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from dashboard.selectors.storage import capacity_figures
from inventory.models import UsageImport
from tests.api.conftest import bearer
from tests.dashboard.conftest import build_estate


def test_anonymous_gets_401_not_the_login_page(client, estate):
    response = client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_pools_carry_the_storage_page_figures(client, reader, estate):
    response = client.get("/api/v1/pools/", headers=bearer(reader, ApiToken.Scope.READ))
    assert response.status_code == 200
    body = response.json()
    figures = {row["pool_slug"]: row for row in capacity_figures().pools}
    assert body["count"] == len(estate.pools)
    for item in body["results"]:
        expected = figures[item["slug"]]
        assert item["figures"]["allocated_bytes"] == expected["allocated_bytes"]
        assert item["figures"]["used_bytes"] == expected["used_bytes"]
        assert item["figures"]["free_bytes"] == expected["free_bytes"]
        assert item["array"] == estate.array.slug


def test_pool_detail_and_array_detail(client, reader, estate):
    headers = bearer(reader)
    pool = estate.pools[0]
    item = client.get(f"/api/v1/pools/{pool.slug}/", headers=headers).json()
    used = sum(a.used_bytes or 0 for a in estate.allocations if a.pool_id == pool.pk)
    assert item["figures"]["used_bytes"] == used
    array = client.get(f"/api/v1/arrays/{estate.array.slug}/", headers=headers).json()
    assert array["figures"]["pool_count"] == len(estate.pools)
    site = client.get(f"/api/v1/sites/{estate.site.slug}/", headers=headers).json()
    assert site["figures"]["usable_bytes"] == estate.array.usable_bytes
    assert client.get("/api/v1/pools/nope/", headers=headers).status_code == 404


def test_teams_with_figures_and_the_dashboards_filters(client, reader, estate):
    headers = bearer(reader)
    team = estate.teams[1]
    body = client.get("/api/v1/teams/", {"q": team.name}, headers=headers).json()
    assert [item["slug"] for item in body["results"]] == [team.slug]
    item = body["results"][0]
    allocations = [a for a in estate.allocations if a.project.team_id == team.pk]
    assert item["allocated_bytes"] == sum(a.quota_bytes for a in allocations)
    assert item["used_bytes"] == sum(a.used_bytes or 0 for a in allocations)
    assert item["growth_7_bytes"] == sum(a.used_bytes * 7 // 100 for a in allocations if a.used_bytes)
    ordered = client.get("/api/v1/teams/", {"sort": "-used"}, headers=headers).json()["results"]
    used = [row["used_bytes"] for row in ordered]
    assert used == sorted(used, reverse=True)


def test_projects_and_allocations_filters(client, reader, estate):
    headers = bearer(reader)
    project = estate.projects[0]
    body = client.get(f"/api/v1/projects/{project.code}/", headers=headers).json()
    assert body["team"] == project.team.slug
    assert body["allocation_count"] == len(estate.pools)
    pool = estate.pools[1]
    body = client.get("/api/v1/allocations/", {"pool": pool.slug, "state": "critical"}, headers=headers).json()
    assert body["count"] >= 1
    assert all(row["pool"] == pool.slug and row["threshold_state"] == "critical" for row in body["results"])
    # Researchers never see who requested an allocation or why (as on the pages).
    assert "justification" not in body["results"][0]
    bad = client.get("/api/v1/allocations/", {"status": "bogus"}, headers=headers)
    assert bad.status_code == 400 and "status" in bad.json()


def test_staff_see_requester_and_justification(client, manager, estate):
    body = client.get("/api/v1/allocations/", headers=bearer(manager)).json()
    assert body["results"][0]["justification"].startswith("Secret justification")


def test_pagination(client, reader, estate):
    headers = bearer(reader)
    first = client.get("/api/v1/allocations/", {"page_size": 4}, headers=headers).json()
    assert len(first["results"]) == 4 and first["count"] == len(estate.allocations)
    second = client.get(first["next"], headers=headers).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})


def test_imports_list_needs_the_view_permission(client, reader, infra, estate):
    assert client.get("/api/v1/imports/", headers=bearer(reader)).status_code == 403
    assert client.get("/api/v1/imports/", headers=bearer(infra)).status_code == 200


LISTS = [
    "/api/v1/sites/",
    "/api/v1/arrays/",
    "/api/v1/pools/",
    "/api/v1/teams/",
    "/api/v1/projects/",
    "/api/v1/allocations/",
    "/api/v1/imports/",
]


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_each_list_runs_a_fixed_number_of_queries(client, infra, url):
    client.force_login(infra)
    _imports(build_estate(teams=2, sample_days=3, rollups=True), infra, 2)
    small = _queries(client, url)
    _imports(build_estate(teams=12, sample_days=3, rollups=True), infra, 12)
    assert _queries(client, url) == small


def _imports(estate, user, count: int) -> None:
    """Import records with a user and a pool (both shown in the list)."""
    UsageImport.objects.bulk_create(
        UsageImport(user=user, pool=estate.pools[n % 2], file_name=f"r{n}.json", format="xdmod", outcome="succeeded")
        for n in range(count)
    )


def test_series_and_details_run_a_fixed_number_of_queries(client, infra):
    client.force_login(infra)
    small_estate = build_estate(teams=1, sample_days=3, rollups=True)
    urls = lambda e: [  # noqa: E731
        f"/api/v1/pools/{e.pools[0].slug}/usage/",
        f"/api/v1/teams/{e.teams[0].slug}/usage/",
        f"/api/v1/allocations/{e.allocations[0].pk}/usage/",
        f"/api/v1/pools/{e.pools[0].slug}/",
        f"/api/v1/teams/{e.teams[0].slug}/",
        f"/api/v1/allocations/{e.allocations[0].pk}/",
    ]
    small = [_queries(client, url) for url in urls(small_estate)]
    big_estate = build_estate(teams=10, sample_days=40, rollups=True)
    assert [_queries(client, url) for url in urls(big_estate)] == small
