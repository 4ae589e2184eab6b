"""``Authorization: Bearer cap_...``: a personal API token signs a request in as its owner."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.tokens import find_usable_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A personal API token in the Authorization header (``Bearer`` or ``Token``); ``request.auth`` is the token."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be “Bearer <token>”.")
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token holds characters a token never has.") from None
        token = find_usable_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown, revoked or expired API token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        return token.user, token

    def authenticate_header(self, request):
        # A 401 (not 403) with WWW-Authenticate, so that clients know to send a token.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describe the token scheme in the OpenAPI schema (Swagger's "Authorize" button)."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token from /api/tokens/."}
