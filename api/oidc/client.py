"""The Authlib client for the configured provider, built from settings (discovery document, client, scopes)."""

from __future__ import annotations

from functools import lru_cache

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings

NAME = "oidc"


def is_configured() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_CLIENT_ID)


@lru_cache(maxsize=4)
def _client(discovery_url: str, client_id: str, client_secret: str, scopes: str) -> DjangoOAuth2App:
    # One client per configuration: the provider's metadata and keys are fetched once, on first use.
    oauth = OAuth()
    return oauth.register(
        name=NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=discovery_url,
        client_kwargs={"scope": scopes, "code_challenge_method": "S256"},
    )


def client() -> DjangoOAuth2App:
    return _client(
        settings.OIDC_DISCOVERY_URL, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPES
    )
