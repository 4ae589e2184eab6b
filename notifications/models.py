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
from django.utils.translation import gettext_lazy as _

from inventory.models import ResearchProject, StoragePool, Team


class Webhook(models.Model):
    """A chat channel's incoming webhook (Slack, Mattermost, Microsoft Teams) for one team's or one pool's events."""

    class Flavour(models.TextChoices):
        SLACK = "slack", _("Slack")
        MATTERMOST = "mattermost", _("Mattermost")
        TEAMS = "teams", _("Microsoft Teams (Workflows)")

    name = models.CharField(max_length=200, verbose_name=_("name"))
    url = models.URLField(
        _("URL"),
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The channel's incoming-webhook address (https://...)."),
    )
    flavour = models.CharField(max_length=20, choices=Flavour.choices, default=Flavour.SLACK, verbose_name=_("flavour"))
    secret = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Optional: each request then carries X-Capacity-Signature: sha256=<HMAC of the body>."),
        verbose_name=_("secret"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks",
        help_text=_("Receives the events of this team's allocations and requests."),
    verbose_name=_("team"),
)  # fmt: skip
    pool = models.ForeignKey(
        StoragePool, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks",
        help_text=_("Receives this pool's events and those of the allocations on it."),
    verbose_name=_("pool"),
)  # fmt: skip
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True, pool__isnull=False) | Q(team__isnull=False, pool__isnull=True),
                name="webhook_for_one_team_or_one_pool",
                violation_error_message=_("A webhook belongs to either a team or a pool (exactly one of them)."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubjectState(models.Model):
    """The last level an event source observed for one subject: what makes an event fire once per crossing."""

    source = models.CharField(max_length=50, verbose_name=_("source"))
    subject_id = models.BigIntegerField(verbose_name=_("subject id"))
    level = models.PositiveSmallIntegerField(
        default=0, help_text=_("0: below every mark (the rule is armed)."), verbose_name=_("level")
    )
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))

    class Meta:
        verbose_name_plural = _("subject states")
        verbose_name = _("subject state")
        constraints = [models.UniqueConstraint(fields=["source", "subject_id"], name="subject_state_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.subject_id}: level {self.level}"


class Event(models.Model):
    """One crossing that fired: a subject's figure reached a new mark (or a request was submitted or decided)."""

    kind = models.CharField(
        max_length=50, db_index=True, help_text=_("The event source that fired."), verbose_name=_("kind")
    )
    subject_id = models.BigIntegerField(verbose_name=_("subject id"))
    level = models.PositiveSmallIntegerField(verbose_name=_("level"))
    title = models.CharField(max_length=300, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    url = models.CharField(_("link"), max_length=500, blank=True, help_text=_("A path in the dashboard."))
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    project = models.ForeignKey(
        ResearchProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    pool = models.ForeignKey(
        StoragePool, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("pool")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One event sent (or to be sent) through one channel to one recipient, with its attempts and last error."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    channel = models.CharField(max_length=20, choices=Channel.choices, verbose_name=_("channel"))
    recipient = models.CharField(
        max_length=1000, help_text=_("The e-mail address or the webhook's URL."), verbose_name=_("recipient")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("user")
    )
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("webhook"))
    digest = models.BooleanField(
        default=False, help_text=_("Waits for the recipient's daily digest."), verbose_name=_("digest")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("delivery")
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("deliveries")
        indexes = [
            # The send pass reads only what is due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.get_status_display()})"


class Preference(models.Model):
    """What one person receives by e-mail, and whether as single messages or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("send me e-mail"), default=True)
    digest = models.BooleanField(_("one daily digest instead of single messages"), default=False)
    muted_kinds = models.JSONField(
        default=list, blank=True, help_text=_("Event kinds this person does not want."), verbose_name=_("muted kinds")
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"notifications of {self.user}"
