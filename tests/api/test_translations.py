"""The API answers in English whatever the client's Accept-Language; the token page is translated."""

from __future__ import annotations

from tests.api.conftest import bearer
from tests.inventory.factories import TB, make_allocation, make_pool, make_project
from tests.locales import NB, bokmal  # noqa: F401 (fixture)


def test_api_errors_stay_english_with_their_codes(client, infra, bokmal):  # noqa: F811
    pool = make_pool(capacity=100 * TB)
    make_allocation(pool=pool, quota=90 * TB)
    response = client.post(
        "/api/v1/allocations/",
        {"project": make_project().code, "pool": pool.slug, "quota_bytes": 20 * TB, "status": "active"},
        content_type="application/json",
        headers=bearer(infra),
        **NB,
    )
    assert response.status_code == 409 and response["Content-Language"] == "en"
    body = response.json()
    assert body["code"] == "pool_over_allocated"
    assert "At most 10.0 TB more can be allocated." in body["detail"]


def test_the_token_page_is_in_bokmal(client, reader, estate, bokmal):  # noqa: F811
    client.force_login(reader)
    page = client.get("/api/tokens/", **NB).content.decode()
    assert "<h1>API-tokener</h1>" in page and "Du har ingen API-tokener." in page and "Utløper etter" in page
