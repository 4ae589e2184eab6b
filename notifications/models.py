"""Notifications: what was observed per subject, the events that fired, their deliveries, and who wants what.

An event source (notifications/sources.py) gives each subject (an allocation, a pool) a *level*: how many of
its marks the figure has reached (80/90/100 % of a quota, a pool's warning/critical threshold, days before an
allocation ends). ``SubjectState`` keeps the last level seen, so an event fires once when the level rises and
the rule re-arms when it falls back (docs/notifications.md).
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from inventory.models import ResearchProject, StoragePool, Team


class Webhook(models.Model):
    """A chat channel's incoming webhook (Slack, Mattermost, Microsoft Teams) for one team's or one pool's events."""

    class Flavour(models.TextChoices):
        SLACK = "slack", "Slack"
        MATTERMOST = "mattermost", "Mattermost"
        TEAMS = "teams", "Microsoft Teams (Workflows)"

    name = models.CharField(max_length=200)
    url = models.URLField(
        "URL",
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The channel's incoming-webhook address (https://...).",
    )
    flavour = models.CharField(max_length=20, choices=Flavour.choices, default=Flavour.SLACK)
    secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional: each request then carries X-Capacity-Signature: sha256=<HMAC of the body>.",
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks",
        help_text="Receives the events of this team's allocations and requests.",
    )  # fmt: skip
    pool = models.ForeignKey(
        StoragePool, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks",
        help_text="Receives this pool's events and those of the allocations on it.",
    )  # fmt: skip
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True, pool__isnull=False) | Q(team__isnull=False, pool__isnull=True),
                name="webhook_for_one_team_or_one_pool",
                violation_error_message="A webhook belongs to either a team or a pool (exactly one of them).",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubjectState(models.Model):
    """The last level an event source observed for one subject: what makes an event fire once per crossing."""

    source = models.CharField(max_length=50)
    subject_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField(default=0, help_text="0: below every mark (the rule is armed).")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "subject state"
        constraints = [models.UniqueConstraint(fields=["source", "subject_id"], name="subject_state_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.subject_id}: level {self.level}"


class Event(models.Model):
    """One crossing that fired: a subject's figure reached a new mark (or a request was submitted or decided)."""

    kind = models.CharField(max_length=50, db_index=True, help_text="The event source that fired.")
    subject_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField("link", max_length=500, blank=True, help_text="A path in the dashboard.")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    project = models.ForeignKey(ResearchProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pool = models.ForeignKey(StoragePool, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One event sent (or to be sent) through one channel to one recipient, with its attempts and last error."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient = models.CharField(max_length=1000, help_text="The e-mail address or the webhook's URL.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, null=True, blank=True)
    digest = models.BooleanField(default=False, help_text="Waits for the recipient's daily digest.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The send pass reads only what is due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.get_status_display()})"


class Preference(models.Model):
    """What one person receives by e-mail, and whether as single messages or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField("send me e-mail", default=True)
    digest = models.BooleanField("one daily digest instead of single messages", default=False)
    muted_kinds = models.JSONField(default=list, blank=True, help_text="Event kinds this person does not want.")

    def __str__(self) -> str:
        return f"notifications of {self.user}"
