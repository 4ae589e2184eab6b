"""The OpenAPI schema validates, is served to signed-in clients, and the docs page needs no inline code."""

from __future__ import annotations

import io

import yaml
from django.core.management import call_command

from tests.api.conftest import bearer


def test_schema_validates_without_warnings(db):
    out = io.StringIO()
    # --fail-on-warn turns any warning (an unresolvable field, a name collision) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    paths = schema["paths"]
    for path in (
        "/api/v1/sites/",
        "/api/v1/arrays/",
        "/api/v1/pools/{slug}/usage/",
        "/api/v1/teams/{slug}/usage/",
        "/api/v1/projects/",
        "/api/v1/allocations/{id}/approve/",
        "/api/v1/allocations/{id}/usage/",
        "/api/v1/imports/",
        "/api/v1/usage-reports/",
        "/api/v1/exports/xdmod-storage",
    ):
        assert path in paths
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_schema_is_served_to_a_token_holder_not_to_anyone(client, reader):
    assert client.get("/api/schema/").status_code == 401
    response = client.get("/api/schema/", {"format": "json"}, headers=bearer(reader))
    assert response.status_code == 200 and response.json()["info"]["title"] == "Capacity API"


def test_docs_page_loads_its_code_from_files_only(client, reader):
    assert client.get("/api/docs/").status_code == 302  # the login page first
    client.force_login(reader)
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<style" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
