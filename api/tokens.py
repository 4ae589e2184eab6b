"""Creating, finding and revoking personal API tokens (the writes for api.models.ApiToken)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken

#: Every token starts so, which lets secret scanners (and people) recognise a leaked one.
TOKEN_PREFIX = "cap_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, user, name: str, scope: str, expires_in_days: int) -> tuple[ApiToken, str]:
    """A new token for *user*; returns the row and the secret, which is never stored and cannot be shown again."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            user=user,
            name=name,
            scope=scope,
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            key_hash=hash_token(raw),
            expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
        )
        token.full_clean()
        token.save()
    return token, raw


def revoke_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once (kept, for the record of who had which)."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def find_usable_token(raw: str) -> ApiToken | None:
    """The unrevoked, unexpired token with this secret and its user, in one query; marks it used (one update)."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
