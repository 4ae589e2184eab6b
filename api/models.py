"""Personal API tokens: what scripts (a cron line on a Lustre client, a monitoring job) sign in with."""

from django.conf import settings
from django.db import models
from django.utils import timezone


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
