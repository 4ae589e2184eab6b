"""Personal API tokens: what scripts (a cron line on a Lustre client, a monitoring job) sign in with."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from inventory.models import TeamMembership


class ApiToken(models.Model):
    """A personal API token: shown once at creation, stored only as its SHA-256, revocable, with an expiry.

    A token is 256 random bits, so a plain SHA-256 is enough to make a stolen table useless (a slow password
    hash protects guessable secrets, which these are not) and lets a request find its token in one lookup.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “lfs quota cron on login-1”.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to recognise it by.")
    key_hash = models.CharField("SHA-256 of the token", max_length=64, unique=True)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.user})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class OidcIdentity(models.Model):
    """The account at an OpenID Connect provider (issuer + subject) that signs a local user in.

    Users are matched by this pair, never by a user name or e-mail the provider lets people change.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    groups = models.JSONField(default=list, blank=True, help_text="The groups claim at the last sign-in.")

    class Meta:
        verbose_name = "OpenID Connect identity"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.subject} at {self.issuer})"


class OidcGroupMapping(models.Model):
    """A group the provider names in its groups claim, and the team (and role) its members get.

    Membership of a mapped team follows the claim at every sign-in: people who lose the group lose the
    membership. Teams no mapping names are left alone (their members are edited in the admin).
    """

    group = models.CharField(max_length=500, help_text="The value exactly as the provider's groups claim carries it.")
    team = models.ForeignKey("inventory.Team", on_delete=models.CASCADE, related_name="oidc_group_mappings")
    role = models.CharField(max_length=20, choices=TeamMembership.Role.choices, default=TeamMembership.Role.MEMBER)

    class Meta:
        ordering = ["group", "team__name"]
        verbose_name = "OpenID Connect group mapping"
        constraints = [
            models.UniqueConstraint(fields=["group", "team"], name="oidc_group_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.team} ({self.role})"
