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

from inventory.fields import BytesField
from inventory.models import Allocation, StorageArray, StoragePool


class Collector(models.Model):
    """How to read one array over its REST API, and how often. The password itself is never stored here."""

    class Kind(models.TextChoices):
        OCEANSTOR = "oceanstor", "OceanStor DeviceManager (Dorado, V6, A-series)"
        PACIFIC = "pacific", "OceanStor Pacific"

    class Scope(models.TextChoices):
        LOCAL = "0", "Local user"
        LDAP = "1", "LDAP user"

    array = models.OneToOneField(StorageArray, on_delete=models.PROTECT, related_name="collector")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    base_url = models.URLField(
        "base URL", help_text="Scheme, host and port of the management interface, e.g. https://array1.example.org:8088"
    )
    username = models.CharField("user name", max_length=200)
    scope = models.CharField(
        "login scope", max_length=1, choices=Scope.choices, default=Scope.LOCAL, help_text="DeviceManager only."
    )
    password_env = models.CharField(
        "password environment variable",
        max_length=200,
        blank=True,
        help_text="The name of an environment variable of the worker that holds the password.",
    )
    password_file = models.CharField(
        "password file",
        max_length=500,
        blank=True,
        help_text="Or: the path of a file (readable by the worker) that holds the password.",
    )
    ca_bundle = models.CharField(
        "CA bundle",
        max_length=500,
        blank=True,
        help_text="Path of a PEM file with the CA that signed the array's certificate; empty: the system's CAs.",
    )
    verify_tls = models.BooleanField(
        "verify TLS certificate", default=True, help_text="Turn off only for a test array: the password is sent."
    )
    vstore_ids = models.CharField(
        "vStore ids",
        max_length=200,
        blank=True,
        help_text="Comma-separated vStore ids to read file systems from (DeviceManager); empty: all.",
    )
    interval = models.DurationField(
        default=datetime.timedelta(minutes=15),
        validators=[MinValueValidator(datetime.timedelta(minutes=1))],
        help_text="How often the worker collects, e.g. 00:15:00 for every 15 minutes.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
            errors["password_env"] = "Name an environment variable or a password file: the password is never stored."
        if self.password_env and self.password_file:
            errors["password_file"] = "Give either an environment variable or a file, not both."
        if errors:
            raise ValidationError(errors)

    @property
    def vstores(self) -> list[str]:
        return [part.strip() for part in self.vstore_ids.split(",") if part.strip()]


class CollectionRun(models.Model):
    """One collection from one array: when, what came of it, how much was read and written, every error."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (nothing written)"
        DRY_RUN = "dry_run", "Dry run (nothing written)"

    array = models.ForeignKey(StorageArray, on_delete=models.PROTECT, related_name="collection_runs")
    collector = models.ForeignKey(
        Collector, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs",
        help_text="Empty for a trial run from the command line with settings not saved.",
    )  # fmt: skip
    kind = models.CharField(max_length=20, choices=Collector.Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    pools_observed = models.PositiveIntegerField(default=0)
    file_systems = models.PositiveIntegerField(default=0)
    quota_trees = models.PositiveIntegerField(default=0)
    samples_added = models.PositiveIntegerField(default=0)
    samples_skipped = models.PositiveIntegerField("samples skipped (already present)", default=0)
    unmatched = models.PositiveIntegerField("reconciliation items", default=0)
    logins = models.PositiveSmallIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Every error, one string each.")
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["array", "outcome", "-started_at"], name="collection_run_latest")]

    def __str__(self) -> str:
        return f"{self.array.name} at {self.started_at:%Y-%m-%d %H:%M} ({self.get_outcome_display()})"


class CapacityObservation(models.Model):
    """What an array reported for itself (``pool`` empty) or for one of its pools at one moment, in bytes."""

    run = models.ForeignKey(CollectionRun, on_delete=models.CASCADE, related_name="observations")
    array = models.ForeignKey(StorageArray, on_delete=models.PROTECT, related_name="observations")
    pool = models.ForeignKey(StoragePool, on_delete=models.PROTECT, null=True, blank=True, related_name="observations")
    observed_at = models.DateTimeField()
    name_on_system = models.CharField(max_length=200, blank=True)
    raw_bytes = BytesField("raw", null=True, blank=True)
    total_bytes = BytesField("usable (total)", null=True, blank=True)
    used_bytes = BytesField("used (physical)", null=True, blank=True)
    free_bytes = BytesField("free", null=True, blank=True)
    provisioned_bytes = BytesField("provisioned (subscribed)", null=True, blank=True)
    logical_used_bytes = BytesField("used before data reduction", null=True, blank=True)
    data_reduction_ratio = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)

    class Meta:
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
        TREE_WITHOUT_ALLOCATION = "tree_without_allocation", "Quota tree with no allocation"
        ALLOCATION_WITHOUT_TREE = "allocation_without_tree", "Active allocation with no quota tree"
        LIMIT_DIFFERS = "limit_differs", "Limit differs from the promised quota"
        POOL_WITHOUT_MATCH = "pool_without_match", "Pool with no match"

    run = models.ForeignKey(CollectionRun, on_delete=models.CASCADE, related_name="reconciliation")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    pool = models.ForeignKey(StoragePool, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    allocation = models.ForeignKey(Allocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name_on_system = models.CharField(max_length=300, blank=True, help_text="The quota tree's or pool's name there.")
    id_on_system = models.CharField(max_length=100, blank=True)
    reported_bytes = BytesField("limit on the array", null=True, blank=True)
    promised_bytes = BytesField("promised quota", null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["run", "kind", "name_on_system", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name_on_system or self.allocation_id}"
