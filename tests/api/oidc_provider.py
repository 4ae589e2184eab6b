"""A real OpenID Connect provider for the tests: HTTP on a real socket, ID tokens signed with joserfc.

joserfc is the JOSE library of the Authlib project (Authlib's own client verifies with it). The provider
implements what the authorization-code flow needs: discovery, /authorize (signs in ``provider.user`` at
once and redirects back with a code), /token (client_secret_basic, PKCE S256, single-use codes that expire
after ``code_lifetime`` seconds), /userinfo and /jwks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "capacity"
CLIENT_SECRET = "capacity-secret"


@dataclass
class Person:
    sub: str
    preferred_username: str
    given_name: str = "Alice"
    family_name: str = "Aasen"
    email: str = "alice@example.org"
    groups: list[str] = field(default_factory=list)

    def claims(self) -> dict:
        return {
            "sub": self.sub,
            "preferred_username": self.preferred_username,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": self.email,
            "groups": list(self.groups),
        }


class Provider:
    """The provider's state: who signs in next, issued codes and tokens, and its signing key."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.user = Person(sub="alice-0001", preferred_username="alice")
        self.code_lifetime = 60.0
        self.groups_in_id_token = True
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict) -> str:
        """The redirect back to the client, with a fresh code bound to the request."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "issued": time.monotonic(),
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "challenge": query.get("code_challenge"),
            "claims": self.user.claims(),
        }
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or time.monotonic() - grant["issued"] > self.code_lifetime:
            return 400, {"error": "invalid_grant", "error_description": "The code is unknown or expired."}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs."}
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant["challenge"] and digest != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed."}
        access = secrets.token_urlsafe(16)
        self.access_tokens[access] = grant["claims"]
        now = int(time.time())
        claims = {**grant["claims"], "iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        if not self.groups_in_id_token:
            claims.pop("groups")
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.metadata())
            if url.path == "/jwks":
                return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            if url.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    return self._json(400, {"error": "invalid_request"})
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.access_tokens.get(token)
                return self._json(200, claims) if claims else self._json(401, {"error": "invalid_token"})
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            status, body = provider.token(form, self.headers.get("Authorization", ""))
            return self._json(status, body)

    return Handler
