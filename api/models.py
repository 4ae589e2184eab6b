"""Personal API tokens: what scripts (a cron line on a Lustre client, a monitoring job) sign in with."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import TeamMembership


class ApiToken(models.Model):
    """A personal API token: shown once at creation, stored only as its SHA-256, revocable, with an expiry.

    A token is 256 random bits, so a plain SHA-256 is enough to make a stolen table useless (a slow password
    hash protects guessable secrets, which these are not) and lets a request find its token in one lookup.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        max_length=100, help_text=_("What the token is for, e.g. “lfs quota cron on login-1”."), verbose_name=_("name")
    )
    prefix = models.CharField(
        max_length=12, help_text=_("The token's first characters, to recognise it by."), verbose_name=_("prefix")
    )
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ, verbose_name=_("scope"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")

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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities", verbose_name=_("user")
    )
    issuer = models.CharField(max_length=500, verbose_name=_("issuer"))
    subject = models.CharField(max_length=255, verbose_name=_("subject"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_login_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last login at"))
    groups = models.JSONField(
        default=list, blank=True, help_text=_("The groups claim at the last sign-in."), verbose_name=_("groups")
    )

    class Meta:
        verbose_name_plural = _("OpenID Connect identities")
        verbose_name = _("OpenID Connect identity")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.subject} at {self.issuer})"


class OidcGroupMapping(models.Model):
    """A group the provider names in its groups claim, and the team (and role) its members get.

    Membership of a mapped team follows the claim at every sign-in: people who lose the group lose the
    membership. Teams no mapping names are left alone (their members are edited in the admin).
    """

    group = models.CharField(
        max_length=500,
        help_text=_("The value exactly as the provider's groups claim carries it."),
        verbose_name=_("group"),
    )
    team = models.ForeignKey(
        "inventory.Team", on_delete=models.CASCADE, related_name="oidc_group_mappings", verbose_name=_("team")
    )
    role = models.CharField(
        max_length=20, choices=TeamMembership.Role.choices, default=TeamMembership.Role.MEMBER, verbose_name=_("role")
    )

    class Meta:
        verbose_name_plural = _("OpenID Connect group mappings")
        ordering = ["group", "team__name"]
        verbose_name = _("OpenID Connect group mapping")
        constraints = [
            models.UniqueConstraint(fields=["group", "team"], name="oidc_group_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.team} ({self.role})"
