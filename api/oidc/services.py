"""Signing a person in from their provider's claims: find or create the user, update them, sync teams."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from api.models import OidcGroupMapping, OidcIdentity
from inventory.models import TeamMembership

log = logging.getLogger(__name__)
MANAGER = TeamMembership.Role.MANAGER


def groups_from(claims: dict, claim: str) -> list[str]:
    """The groups claim as a sorted list of strings (providers send a list, or one string)."""
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    return sorted({str(item) for item in value if isinstance(item, str | int)})


def _free_username(wanted: str, subject: str) -> str:
    """*wanted* when no one has it; otherwise it with a suffix from the subject (never someone else's account)."""
    User = get_user_model()
    wanted = (wanted or "").strip()[:120] or f"oidc-{hashlib.sha256(subject.encode()).hexdigest()[:12]}"
    if not User.objects.filter(username=wanted).exists():
        return wanted
    return f"{wanted}-{hashlib.sha256(subject.encode()).hexdigest()[:8]}"


def sign_in(*, issuer: str, claims: dict, username_claim: str, groups_claim: str):
    """The local user for these verified claims, created or updated, with mapped team memberships in sync."""
    subject = str(claims.get("sub") or "")
    if not subject or not issuer:
        raise ValidationError(gettext("The provider's answer names no subject (sub) or issuer."))
    groups = groups_from(claims, groups_claim)
    with transaction.atomic():
        identity = (
            OidcIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            user = get_user_model()(username=_free_username(str(claims.get(username_claim) or ""), subject))
            user.set_unusable_password()  # this person signs in through the provider only
            identity = OidcIdentity(issuer=issuer, subject=subject)
        else:
            user = identity.user
        if not user.is_active and user.pk:
            raise ValidationError(gettext("This account is disabled here."))
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.email = str(claims.get("email") or user.email)[:254]
        user.last_login = timezone.now()
        user.save()
        identity.user = user
        identity.groups = groups
        identity.last_login_at = timezone.now()
        identity.save()
        sync_memberships(user=user, groups=groups)
    return user


def sync_memberships(*, user, groups: list[str]) -> None:
    """Membership of every team a mapping names follows *groups*; other teams are left alone."""
    mappings = list(OidcGroupMapping.objects.all())
    mapped_teams = {mapping.team_id for mapping in mappings}
    wanted: dict[int, str] = {}
    for mapping in mappings:
        if mapping.group in groups and wanted.get(mapping.team_id) != MANAGER:
            wanted[mapping.team_id] = mapping.role
    current = {m.team_id: m for m in TeamMembership.objects.filter(user=user, team_id__in=mapped_teams)}
    gone = [m.pk for team_id, m in current.items() if team_id not in wanted]
    if gone:
        TeamMembership.objects.filter(pk__in=gone).delete()
    for team_id, role in wanted.items():
        membership = current.get(team_id)
        if membership is None:
            TeamMembership.objects.create(user=user, team_id=team_id, role=role)
        elif membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
