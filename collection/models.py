"""Collection: which arrays are read over REST, every run of a collector, and what the arrays reported.

Observed figures live beside the capacities admins entered (``StorageArray.usable_bytes``,
``StoragePool.capacity_bytes``) and never overwrite them: pages show both and where they differ.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.fields import BytesField
from inventory.models import Allocation, StorageArray, StoragePool


class Collector(models.Model):
    """How to read one array over its REST API, and how often. The password itself is never stored here."""

    class Kind(models.TextChoices):
        OCEANSTOR = "oceanstor", _("OceanStor DeviceManager (Dorado, V6, A-series)")
        PACIFIC = "pacific", _("OceanStor Pacific")

    class Scope(models.TextChoices):
        LOCAL = "0", _("Local user")
        LDAP = "1", _("LDAP user")

    array = models.OneToOneField(
        StorageArray, on_delete=models.PROTECT, related_name="collector", verbose_name=_("array")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    base_url = models.URLField(
        _("base URL"),
        help_text=_("Scheme, host and port of the management interface, e.g. https://array1.example.org:8088"),
    )
    username = models.CharField(_("user name"), max_length=200)
    scope = models.CharField(
        _("login scope"), max_length=1, choices=Scope.choices, default=Scope.LOCAL, help_text=_("DeviceManager only.")
    )
    password_env = models.CharField(
        _("password environment variable"),
        max_length=200,
        blank=True,
        help_text=_("The name of an environment variable of the worker that holds the password."),
    )
    password_file = models.CharField(
        _("password file"),
        max_length=500,
        blank=True,
        help_text=_("Or: the path of a file (readable by the worker) that holds the password."),
    )
    ca_bundle = models.CharField(
        _("CA bundle"),
        max_length=500,
        blank=True,
        help_text=_("Path of a PEM file with the CA that signed the array's certificate; empty: the system's CAs."),
    )
    verify_tls = models.BooleanField(
        _("verify TLS certificate"), default=True, help_text=_("Turn off only for a test array: the password is sent.")
    )
    vstore_ids = models.CharField(
        _("vStore ids"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated vStore ids to read file systems from (DeviceManager); empty: all."),
    )
    interval = models.DurationField(
        default=datetime.timedelta(minutes=15),
        validators=[MinValueValidator(datetime.timedelta(minutes=1))],
        help_text=_("How often the worker collects, e.g. 00:15:00 for every 15 minutes."),
        verbose_name=_("interval"),
    )
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("collector")
        verbose_name_plural = _("collectors")
        ordering = ["array__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(password_env="") | ~Q(password_file=""), name="collector_password_source"
            ),
            models.CheckConstraint(
                condition=Q(interval__gte=datetime.timedelta(minutes=1)), name="collector_interval_minimum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.array.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        errors = {}
        if not self.password_env and not self.password_file:
            errors["password_env"] = _("Name an environment variable or a password file: the password is never stored.")
        if self.password_env and self.password_file:
            errors["password_file"] = _("Give either an environment variable or a file, not both.")
        if errors:
            raise ValidationError(errors)

    @property
    def vstores(self) -> list[str]:
        return [part.strip() for part in self.vstore_ids.split(",") if part.strip()]


class CollectionRun(models.Model):
    """One collection from one array: when, what came of it, how much was read and written, every error."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed (nothing written)")
        DRY_RUN = "dry_run", _("Dry run (nothing written)")

    array = models.ForeignKey(
        StorageArray, on_delete=models.PROTECT, related_name="collection_runs", verbose_name=_("array")
    )
    collector = models.ForeignKey(
        Collector, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs",
        help_text=_("Empty for a trial run from the command line with settings not saved."),
    verbose_name=_("collector"),
)  # fmt: skip
    kind = models.CharField(max_length=20, choices=Collector.Kind.choices, verbose_name=_("kind"))
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    outcome = models.CharField(
        max_length=20, choices=Outcome.choices, default=Outcome.RUNNING, verbose_name=_("outcome")
    )
    pools_observed = models.PositiveIntegerField(default=0, verbose_name=_("pools observed"))
    file_systems = models.PositiveIntegerField(default=0, verbose_name=_("file systems"))
    quota_trees = models.PositiveIntegerField(default=0, verbose_name=_("quota trees"))
    samples_added = models.PositiveIntegerField(default=0, verbose_name=_("samples added"))
    samples_skipped = models.PositiveIntegerField(_("samples skipped (already present)"), default=0)
    unmatched = models.PositiveIntegerField(_("reconciliation items"), default=0)
    logins = models.PositiveSmallIntegerField(default=0, verbose_name=_("logins"))
    errors = models.JSONField(
        default=list, blank=True, help_text=_("Every error, one string each."), verbose_name=_("errors")
    )
    warnings = models.JSONField(default=list, blank=True, verbose_name=_("warnings"))

    class Meta:
        verbose_name = _("collection run")
        verbose_name_plural = _("collection runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["array", "outcome", "-started_at"], name="collection_run_latest")]

    def __str__(self) -> str:
        return f"{self.array.name} at {self.started_at:%Y-%m-%d %H:%M} ({self.get_outcome_display()})"


class CapacityObservation(models.Model):
    """What an array reported for itself (``pool`` empty) or for one of its pools at one moment, in bytes."""

    run = models.ForeignKey(CollectionRun, on_delete=models.CASCADE, related_name="observations", verbose_name=_("run"))
    array = models.ForeignKey(
        StorageArray, on_delete=models.PROTECT, related_name="observations", verbose_name=_("array")
    )
    pool = models.ForeignKey(
        StoragePool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("pool"),
    )
    observed_at = models.DateTimeField(verbose_name=_("observed at"))
    name_on_system = models.CharField(max_length=200, blank=True, verbose_name=_("name on system"))
    raw_bytes = BytesField(_("raw"), null=True, blank=True)
    total_bytes = BytesField(_("usable (total)"), null=True, blank=True)
    used_bytes = BytesField(_("used (physical)"), null=True, blank=True)
    free_bytes = BytesField(_("free"), null=True, blank=True)
    provisioned_bytes = BytesField(_("provisioned (subscribed)"), null=True, blank=True)
    logical_used_bytes = BytesField(_("used before data reduction"), null=True, blank=True)
    data_reduction_ratio = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, verbose_name=_("data reduction ratio")
    )

    class Meta:
        verbose_name = _("capacity observation")
        verbose_name_plural = _("capacity observations")
        ordering = ["-observed_at"]
        indexes = [
            models.Index(fields=["array", "-observed_at"], name="observation_array_latest"),
            models.Index(fields=["pool", "-observed_at"], name="observation_pool_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.pool or self.array} at {self.observed_at:%Y-%m-%d %H:%M}"


class ReconciliationItem(models.Model):
    """One difference between the array and the inventory found by a run (listed on the reconciliation page)."""

    class Kind(models.TextChoices):
        TREE_WITHOUT_ALLOCATION = "tree_without_allocation", _("Quota tree with no allocation")
        ALLOCATION_WITHOUT_TREE = "allocation_without_tree", _("Active allocation with no quota tree")
        LIMIT_DIFFERS = "limit_differs", _("Limit differs from the promised quota")
        POOL_WITHOUT_MATCH = "pool_without_match", _("Pool with no match")

    run = models.ForeignKey(
        CollectionRun, on_delete=models.CASCADE, related_name="reconciliation", verbose_name=_("run")
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, verbose_name=_("kind"))
    pool = models.ForeignKey(
        StoragePool, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("pool")
    )
    allocation = models.ForeignKey(
        Allocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("allocation")
    )
    name_on_system = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The quota tree's or pool's name there."),
        verbose_name=_("name on system"),
    )
    id_on_system = models.CharField(max_length=100, blank=True, verbose_name=_("id on system"))
    reported_bytes = BytesField(_("limit on the array"), null=True, blank=True)
    promised_bytes = BytesField(_("promised quota"), null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True, verbose_name=_("detail"))

    class Meta:
        verbose_name = _("reconciliation item")
        verbose_name_plural = _("reconciliation items")
        ordering = ["run", "kind", "name_on_system", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name_on_system or self.allocation_id}"
