"""Personal API tokens: the page to create (shown once) and revoke them, expiry, scope, last use, the admin."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from api.models import ApiToken
from api.tokens import hash_token


def _create(client, **data):
    return client.post("/api/tokens/", {"name": "cron", "scope": "read", "expires_in_days": 30, **data})


def test_create_shows_the_secret_once_and_stores_only_its_hash(client, reader, estate):
    client.force_login(reader)
    response = _create(client, name="lfs cron", scope="read_write")
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token" type="text" readonly value="(cap_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=reader)
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    assert token.scope == "read_write" and token.name == "lfs cron"
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)
    # The list shows the token by name and prefix, never the secret again.
    listing = client.get("/api/tokens/").content.decode()
    assert "lfs cron" in listing and token.prefix in listing and secret not in listing
    # The secret works, and its use is recorded.
    client.logout()
    api = client.get("/api/v1/teams/", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_name_is_required(client, reader):
    client.force_login(reader)
    response = _create(client, name="")
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "This field is required." in response.content.decode()


def test_revoke_stops_the_token(client, reader, estate):
    client.force_login(reader)
    secret = re.search(r'value="(cap_[^"]+)"', _create(client).content.decode()).group(1)
    token = ApiToken.objects.get()
    response = client.post(f"/api/tokens/{token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    client.logout()
    refused = client.get("/api/v1/teams/", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_nobody_revokes_someone_elses_token_on_the_page(client, reader, manager):
    client.force_login(manager)
    _create(client)
    token = ApiToken.objects.get()
    client.force_login(reader)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get("/api/tokens/").content.decode().count(token.prefix) == 0
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_and_unknown_tokens_are_refused(client, reader, estate):
    client.force_login(reader)
    secret = re.search(r'value="(cap_[^"]+)"', _create(client).content.decode()).group(1)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.logout()
    assert client.get("/api/v1/teams/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.get("/api/v1/teams/", headers={"Authorization": "Bearer cap_nonsense"}).status_code == 401


def test_the_page_needs_a_login(client):
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admins_see_and_revoke_anyones_tokens(admin_client, reader):
    from api.tokens import create_token

    token, _ = create_token(user=reader, name="rolf's script", scope="read", expires_in_days=7)
    listing = admin_client.get("/admin/api/apitoken/").content.decode()
    assert "rolf&#x27;s script" in listing or "rolf's script" in listing
    response = admin_client.post(
        "/admin/api/apitoken/", {"action": "revoke_selected", "_selected_action": [token.pk]}, follow=True
    )
    assert "Revoked 1 token." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
