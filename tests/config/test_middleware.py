"""Headers on every response: Permissions-Policy, and Cache-Control private on pages and CSV exports."""

import pytest

from tests.dashboard.conftest import build_estate


@pytest.mark.django_db
def test_dashboard_pages_and_exports_are_private_to_the_browser(researcher_client, researcher):
    estate = build_estate(teams=1, projects_per_team=1, pools=1, members=[researcher])
    team, project = estate.teams[0], estate.projects[0]
    paths = [
        "/",
        "/teams/",
        f"/teams/{team.slug}/",
        "/projects/",
        f"/projects/{project.code}/",
        "/storage/",
        f"/storage/{estate.array.slug}/",
        f"/storage/{estate.array.slug}/{estate.pools[0].slug}/",
        "/allocations/",
    ]
    for path in paths:
        for query in ({}, {"format": "csv"}):
            response = researcher_client.get(path, query)
            assert response.status_code == 200, path
            assert "private" in response["Cache-Control"], (path, query)
            assert "public" not in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/admin/", "/no-such-page/"])
def test_every_response_says_which_browser_features_the_app_does_without(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
        assert feature in policy
