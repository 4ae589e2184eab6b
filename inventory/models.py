"""The inventory: what the infrastructure owns, who was promised what, and what they use.

Every capacity is an exact integer number of bytes (`BytesField`). The rules of
docs/domain.md are enforced in the database (check and conditional unique
constraints here, capacity triggers in migration 0003) as well as in forms, so
that no code path and no race between two admins can break them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inventory import figures
from inventory.fields import BytesField, RunningTotalsField


class Site(models.Model):
    """A data centre or machine room that houses storage arrays."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    city = models.CharField(max_length=100, blank=True, verbose_name=_("city"))
    country = models.CharField(max_length=100, blank=True, verbose_name=_("country"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StorageArray(models.Model):
    """One storage system (box or cluster) from one vendor, e.g. a Huawei OceanStor A800."""

    class MediaType(models.TextChoices):
        NVME = "nvme", _("NVMe flash")
        SAS_SSD = "sas_ssd", _("SAS SSD")
        HDD = "hdd", _("HDD")
        HYBRID = "hybrid", _("Hybrid (flash + HDD)")

    class Lifecycle(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        MAINTENANCE = "maintenance", _("Maintenance")
        RETIRED = "retired", _("Retired")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="arrays", verbose_name=_("site"))
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    vendor = models.CharField(max_length=100, verbose_name=_("vendor"))
    model = models.CharField(max_length=100, verbose_name=_("model"))
    serial_number = models.CharField(max_length=100, unique=True, verbose_name=_("serial number"))
    media_type = models.CharField(
        max_length=20, choices=MediaType.choices, default=MediaType.NVME, verbose_name=_("media type")
    )
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.ACTIVE
    )
    raw_bytes = BytesField(_("raw capacity"), help_text=_("Member disks before RAID and spares."))
    usable_bytes = BytesField(
        _("usable capacity"), help_text=_("After RAID, hot spares and metadata: what pools can hold.")
    )
    firmware_version = models.CharField(max_length=100, blank=True, verbose_name=_("firmware version"))
    commissioned_on = models.DateField(null=True, blank=True, verbose_name=_("commissioned on"))
    support_ends_on = models.DateField(_("support ends on"), null=True, blank=True)
    management_url = models.URLField(_("management URL"), blank=True)
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("storage arrays")
        ordering = ["name"]
        verbose_name = _("storage array")
        constraints = [
            models.CheckConstraint(condition=Q(raw_bytes__gte=0), name="array_raw_non_negative"),
            models.CheckConstraint(condition=Q(usable_bytes__gte=0), name="array_usable_non_negative"),
            models.CheckConstraint(condition=Q(usable_bytes__lte=F("raw_bytes")), name="array_usable_within_raw"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:array-detail", kwargs={"array": self.slug})


class StoragePool(models.Model):
    """A slice of an array's usable capacity with one protection scheme and tier; allocations live here."""

    class Tier(models.TextChoices):
        PERFORMANCE = "performance", _("Performance (flash)")
        CAPACITY = "capacity", _("Capacity")
        SCRATCH = "scratch", _("Scratch")
        ARCHIVE = "archive", _("Archive")

    array = models.ForeignKey(StorageArray, on_delete=models.PROTECT, related_name="pools", verbose_name=_("array"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text=_("The name usage reports use for this pool (XDMoD `resource`)."),
        verbose_name=_("slug"),
    )
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.PERFORMANCE, verbose_name=_("tier"))
    protocols = models.CharField(
        max_length=200, blank=True, help_text=_("For example: NFS, SMB, S3, DPC, Lustre."), verbose_name=_("protocols")
    )
    capacity_bytes = BytesField(_("capacity"), help_text=_("Usable capacity carved from the array for this pool."))
    max_oversubscription = models.DecimalField(
        _("maximum oversubscription"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("10.00"))],
        help_text=_("Allowed allocated ÷ capacity: 1.00 means no oversubscription; thin pools often allow 1.2-1.5."),
    )
    warning_threshold = models.PositiveSmallIntegerField(
        _("warning threshold (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    critical_threshold = models.PositiveSmallIntegerField(
        _("critical threshold (%)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    system_name = models.CharField(
        _("name on the storage system"),
        max_length=200,
        blank=True,
        help_text=_("The storage pool's NAME on the array, for collection; empty means this pool is not collected."),
    )
    open_for_requests = models.BooleanField(
        _("open for requests"),
        default=False,
        help_text=_("Researchers may ask for allocations on this pool from their project's page."),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("storage pools")
        ordering = ["array__name", "name"]
        verbose_name = _("storage pool")
        constraints = [
            models.UniqueConstraint(fields=["array", "name"], name="pool_name_unique_per_array"),
            models.CheckConstraint(condition=Q(capacity_bytes__gte=0), name="pool_capacity_non_negative"),
            models.CheckConstraint(condition=Q(max_oversubscription__gt=0), name="pool_oversubscription_positive"),
            models.CheckConstraint(
                condition=Q(warning_threshold__gt=0)
                & Q(warning_threshold__lt=F("critical_threshold"))
                & Q(critical_threshold__lte=100),
                name="pool_thresholds_ordered",
                violation_error_message=_(
                    "The warning threshold must be below the critical threshold (both 1-100 %%)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.array.name} / {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:pool-detail", kwargs={"array": self.array.slug, "pool": self.slug})

    @property
    def allowed_bytes(self) -> int | None:
        """The most that may be allocated (inventory.figures.allowed_bytes)."""
        return figures.allowed_bytes(self.capacity_bytes, self.max_oversubscription)


class Institution(models.Model):
    """A university or institute that teams belong to (e.g. University of Oslo); showback is reported per one."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    short_name = models.CharField(
        max_length=50, blank=True, help_text=_("For example UiO, NTNU, UiB, UiT."), verbose_name=_("short name")
    )

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:institution-detail", kwargs={"slug": self.slug})


class Team(models.Model):
    """A research group or lab: people belong to teams, and a team has projects."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("institution"),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", blank=True, verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        indexes = [
            # The showback page lists teams by institution, then name, a page at a time (never sorting all).
            models.Index(F("institution"), Lower("name"), F("id"), name="team_by_institution_and_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:team-detail", kwargs={"slug": self.slug})


class TeamMembership(models.Model):
    """A person's membership of a team, with their role in it."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("user")
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER, verbose_name=_("role"))

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


project_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$",
    _("A project code is 2-32 letters, digits, '-' or '_' (for example NN1234K)."),
)


class ResearchProject(models.Model):
    """A research project with a code (e.g. NN1234K), owned by a team and led by a principal investigator."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        SUSPENDED = "suspended", _("Suspended")

    code = models.CharField(max_length=32, unique=True, validators=[project_code_validator], verbose_name=_("code"))
    title = models.CharField(max_length=300, verbose_name=_("title"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="projects", verbose_name=_("team"))
    principal_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("principal investigator"),
    )
    field_of_science = models.CharField(max_length=200, blank=True, verbose_name=_("field of science"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(null=True, blank=True, verbose_name=_("end date"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("research projects")
        ordering = ["code"]
        verbose_name = _("research project")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="project_ends_after_start",
                violation_error_message=_("The end date must be after the start date."),
            ),
        ]
        indexes = [
            # Sums per team join every counted allocation to its project's team: read from this narrow index
            # (index-only) rather than the project rows with their titles and descriptions.
            models.Index(fields=["id"], include=["team"], name="project_team_by_id"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:project-detail", kwargs={"code": self.code})


class Allocation(models.Model):
    """A promise of capacity (a quota in bytes) on one pool to one project.

    The latest reported usage is kept on the allocation itself (updated by the
    imports, only when newer) so that pages never scan the usage history to
    show the present.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        DENIED = "denied", _("Denied")

    project = models.ForeignKey(
        ResearchProject, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("project")
    )
    pool = models.ForeignKey(StoragePool, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("pool"))
    quota_bytes = BytesField(_("quota"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True, verbose_name=_("status")
    )
    start_date = models.DateField(default=timezone.localdate, verbose_name=_("start date"))
    end_date = models.DateField(null=True, blank=True, verbose_name=_("end date"))
    quota_id = models.CharField(
        _("quota identifier"),
        max_length=255,
        blank=True,
        help_text=_("What the storage system reports usage under: a quota-tree name or path, a Lustre project id."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    justification = models.TextField(blank=True, verbose_name=_("justification"))

    # Latest usage, denormalised from UsageSample by the imports.
    used_bytes = BytesField(_("used (logical)"), null=True, blank=True)
    physical_used_bytes = BytesField(_("used (physical)"), null=True, blank=True)
    file_count = models.BigIntegerField(null=True, blank=True, verbose_name=_("file count"))
    usage_measured_at = models.DateTimeField(_("usage measured at"), null=True, blank=True)
    # What the storage system itself enforces, when a report carries its hard
    # limit: differing from quota_bytes is "quota drift".
    enforced_quota_bytes = BytesField(_("enforced hard limit"), null=True, blank=True)
    enforced_quota_seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("enforced quota seen at"))

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    history = HistoricalRecords(
        excluded_fields=["used_bytes", "physical_used_bytes", "file_count", "usage_measured_at"]
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["project__code", "pool__name"]
        permissions = [("approve_allocation", "Can approve requested allocations")]
        constraints = [
            models.CheckConstraint(condition=Q(quota_bytes__gte=0), name="allocation_quota_non_negative"),
            models.CheckConstraint(
                condition=Q(used_bytes__isnull=True) | Q(used_bytes__gte=0), name="allocation_used_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(physical_used_bytes__isnull=True) | Q(physical_used_bytes__gte=0),
                name="allocation_physical_used_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(file_count__isnull=True) | Q(file_count__gte=0),
                name="allocation_file_count_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(enforced_quota_bytes__isnull=True) | Q(enforced_quota_bytes__gte=0),
                name="allocation_enforced_quota_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="allocation_ends_after_start",
                violation_error_message=_("The end date must be after the start date."),
            ),
            models.UniqueConstraint(
                fields=["project", "pool"],
                condition=Q(status="active"),
                name="one_active_allocation_per_project_and_pool",
                violation_error_message=_("This project already has an active allocation on this pool."),
            ),
            models.UniqueConstraint(
                fields=["pool", "quota_id"],
                condition=~Q(quota_id=""),
                name="quota_id_unique_per_pool",
                violation_error_message=_("Another allocation on this pool already uses this quota identifier."),
            ),
        ]
        indexes = [
            models.Index(fields=["pool", "status"], name="allocation_pool_status"),
            models.Index(fields=["end_date"], name="allocation_end_date"),
            # The dashboard's sums over active allocations (capacity figures per pool, teams using
            # most, allocations near quota) read this small index alone, not the wide table.
            models.Index(
                fields=["pool"],
                include=["id", "project", "quota_bytes", "used_bytes", "physical_used_bytes", "usage_measured_at"],
                condition=Q(status="active"),
                name="allocation_active_by_pool",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} on {self.pool.name}"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:allocation-detail", kwargs={"pk": self.pk})

    @property
    def quota_drift_bytes(self) -> int | None:
        """Enforced minus promised: non-zero means the array enforces something else than was promised."""
        if self.enforced_quota_bytes is None:
            return None
        return self.enforced_quota_bytes - self.quota_bytes


class UsageImport(models.Model):
    """One run of a usage import (command or admin upload): who, when, which file, and what came of it."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed (nothing written)")
        DRY_RUN = "dry_run", _("Dry run (nothing written)")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )
    file_name = models.CharField(max_length=500, verbose_name=_("file name"))
    format = models.CharField(max_length=20, verbose_name=_("format"))
    pool = models.ForeignKey(StoragePool, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("pool"))
    outcome = models.CharField(max_length=20, choices=Outcome.choices, verbose_name=_("outcome"))
    records = models.PositiveIntegerField(default=0, verbose_name=_("records"))
    added = models.PositiveIntegerField(default=0, verbose_name=_("added"))
    skipped = models.PositiveIntegerField(_("skipped (already present)"), default=0)
    drift_warnings = models.PositiveIntegerField(default=0, verbose_name=_("drift warnings"))
    error_count = models.PositiveIntegerField(default=0, verbose_name=_("error count"))
    messages = models.JSONField(
        default=list, blank=True, help_text=_("Errors and warnings, one string each."), verbose_name=_("messages")
    )
    sha256 = models.CharField(
        _("SHA-256 of the file"),
        max_length=64,
        blank=True,
        help_text=_("Identical content imported again into the same pool (with no moment of its own) adds nothing."),
    )

    class Meta:
        verbose_name_plural = _("usage imports")
        ordering = ["-created_at"]
        verbose_name = _("usage import")
        indexes = [models.Index(fields=["sha256", "pool"], name="usage_import_sha256_pool")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.format}, {self.get_outcome_display()})"


class UsageSample(models.Model):
    """What the storage system reported an allocation used at one moment (stored in UTC)."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="samples", verbose_name=_("allocation")
    )
    measured_at = models.DateTimeField(verbose_name=_("measured at"))
    used_bytes = BytesField(_("used (logical)"))
    physical_used_bytes = BytesField(_("used (physical)"), null=True, blank=True)
    file_count = models.BigIntegerField(null=True, blank=True, verbose_name=_("file count"))
    soft_limit_bytes = BytesField(_("soft limit"), null=True, blank=True)
    hard_limit_bytes = BytesField(_("hard limit"), null=True, blank=True)
    # A report either carries limits (NULL then means "no limit", from an explicit sentinel) or says nothing
    # about them (XDMoD without thresholds, CSV without limit columns): only the first may change what the
    # array is known to enforce.
    limits_reported = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("The report carried this quota's limits (an empty limit then means no limit)."),
        verbose_name=_("limits reported"),
    )
    source = models.CharField(
        max_length=50, blank=True, help_text=_("The report format it came from."), verbose_name=_("source")
    )
    usage_import = models.ForeignKey(
        UsageImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="samples",
        verbose_name=_("usage import"),
    )

    class Meta:
        verbose_name_plural = _("usage samples")
        ordering = ["-measured_at"]
        verbose_name = _("usage sample")
        constraints = [
            models.UniqueConstraint(fields=["allocation", "measured_at"], name="sample_unique_per_moment"),
            models.CheckConstraint(condition=Q(used_bytes__gte=0), name="sample_used_non_negative"),
            models.CheckConstraint(
                condition=Q(physical_used_bytes__isnull=True) | Q(physical_used_bytes__gte=0),
                name="sample_physical_used_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(file_count__isnull=True) | Q(file_count__gte=0), name="sample_file_count_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(soft_limit_bytes__isnull=True) | Q(soft_limit_bytes__gte=0),
                name="sample_soft_limit_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(hard_limit_bytes__isnull=True) | Q(hard_limit_bytes__gte=0),
                name="sample_hard_limit_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(soft_limit_bytes__isnull=True)
                | Q(hard_limit_bytes__isnull=True)
                | Q(soft_limit_bytes__lte=F("hard_limit_bytes")),
                name="sample_soft_within_hard",
                violation_error_message=_("The soft limit must not be above the hard limit."),
            ),
        ]
        # The order of the admin's list (newest first, ties by id); also serves ranges of measured_at.
        indexes = [
            models.Index(fields=["-measured_at", "-id"], name="sample_measured_at_id"),
            # The usage-state service finds each allocation's newest sample that carried limits.
            models.Index(
                fields=["allocation", "-measured_at"],
                condition=Q(limits_reported=True),
                name="sample_limits_by_allocation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id} at {self.measured_at:%Y-%m-%d %H:%M}"


class UnitPreference(models.Model):
    """Whether a user reads capacities in binary units (TiB, PiB) instead of decimal (TB, PB)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_preference", verbose_name=_("user")
    )
    binary = models.BooleanField(default=False, verbose_name=_("binary"))

    class Meta:
        verbose_name = _("unit preference")
        verbose_name_plural = _("unit preferences")

    def __str__(self) -> str:
        return f"{self.user}: {'binary' if self.binary else 'decimal'} units"


class PoolDailyUsage(models.Model):
    """Rollup: a pool's usage on one day, as inventory/daily_usage.py defines it (latest known values).

    Kept true by the usage-state service (inventory/services/usage_state.py) after every write of
    samples, so that the forecasts and charts read a few hundred rows instead of millions of samples.
    """

    # No index of its own: the unique (pool, day) constraint's index serves every lookup by pool, and each
    # extra index is written again for every rollup row an import changes.
    pool = models.ForeignKey(
        StoragePool, on_delete=models.CASCADE, related_name="daily_usage", verbose_name=_("pool"), db_index=False
    )
    day = models.DateField(verbose_name=_("day"))
    used_bytes = models.BigIntegerField(verbose_name=_("used bytes"))
    physical_used_bytes = models.BigIntegerField(
        help_text=_("Physical where reported, else logical."), verbose_name=_("physical used bytes")
    )
    allocations = models.PositiveIntegerField(
        help_text=_("How many counted allocations had a current value that day."), verbose_name=_("allocations")
    )
    not_reporting = models.PositiveIntegerField(
        default=0,
        help_text=_("How many counted allocations had no sample within the staleness limit that day."),
        verbose_name=_("not reporting"),
    )

    class Meta:
        verbose_name = _("pool daily usage")
        verbose_name_plural = _("pool daily usage")
        constraints = [models.UniqueConstraint(fields=["pool", "day"], name="pool_daily_usage_unique")]
        indexes = [
            # Every pool's forecast reads a window of days for all pools at once (the overview, the storage
            # page): a range of this index, read index-only, instead of every day of every pool's history
            # (a seq scan that grew with the length of the history: 600 pools × 300 days on the wide shape).
            models.Index(
                fields=["day"],
                include=["pool", "physical_used_bytes", "allocations"],
                name="pool_daily_usage_by_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} on {self.day}"


class TeamDailyUsage(models.Model):
    """Rollup: a team's usage on one day, over all its projects' allocations (see PoolDailyUsage)."""

    # No index of its own: the unique (team, day) constraint's index serves every lookup by team, and each
    # extra index is written again for every rollup row an import changes (most of an import's rollup time).
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="daily_usage", verbose_name=_("team"), db_index=False
    )
    day = models.DateField(verbose_name=_("day"))
    used_bytes = models.BigIntegerField(verbose_name=_("used bytes"))
    physical_used_bytes = models.BigIntegerField(
        help_text=_("Physical where reported, else logical."), verbose_name=_("physical used bytes")
    )
    allocations = models.PositiveIntegerField(
        help_text=_("How many counted allocations had a current value that day."), verbose_name=_("allocations")
    )
    not_reporting = models.PositiveIntegerField(
        default=0,
        help_text=_("How many counted allocations had no sample within the staleness limit that day."),
        verbose_name=_("not reporting"),
    )

    class Meta:
        verbose_name = _("team daily usage")
        verbose_name_plural = _("team daily usage")
        constraints = [models.UniqueConstraint(fields=["team", "day"], name="team_daily_usage_unique")]

    def __str__(self) -> str:
        return f"{self.team_id} on {self.day}"


class AllocationMonthlyUsage(models.Model):
    """Rollup for showback: one allocation's daily usage (inventory/daily_usage.py) over one calendar month.

    Running totals over the month's days: element d (1-based) of ``used_byte_days`` adds the allocation's
    carried value on days 1 to d, and of ``reported_days`` counts those of days 1 to d that had a value.
    They depend on the samples alone, not on the allocation's status, dates or quota, so that the showback
    report applies which days count (inventory/showback.py) when it reads them: a window of days is two
    subtractions. Kept true by the usage-state service (inventory/services/usage_state.py) after every write
    of samples; months in which an allocation has no value on any day have no row.
    """

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="monthly_usage")
    month = models.DateField(help_text="The month's first day.")
    used_byte_days = RunningTotalsField(
        element="numeric", help_text="Running total over the month's days of the carried value."
    )
    reported_days = RunningTotalsField(help_text="Running count over the month's days of days with a carried value.")

    class Meta:
        verbose_name = "allocation monthly usage"
        verbose_name_plural = "allocation monthly usage"
        constraints = [models.UniqueConstraint(fields=["month", "allocation"], name="allocation_monthly_usage_unique")]

    def __str__(self) -> str:
        return f"{self.allocation_id} in {self.month:%Y-%m}"


class TeamMonthlyShowback(models.Model):
    """Rollup for the showback page: one team's figures on one pool tier over one calendar month.

    The month's sums over its days, of the team's allocations on pools of that tier, each as
    inventory/showback.py defines its byte-days: allocated and used byte-days, allocation-days counted
    without a value (not reporting), and allocation-days that put the team on the report (counted, or
    reporting). A report reads the sums of a month it covers whole; of the current month it reads day d of
    the ``*_running`` arrays (running totals over the month's days, element d adding days 1 to d), which only
    the current month's rows keep. Unlike AllocationMonthlyUsage it depends on the allocations' terms
    (status, dates, quota, pool tier, project's team) too: database triggers mark a team stale when any of
    them or its allocations' monthly usage change (ShowbackStaleTeam), and the report works a stale team's
    figures out from the allocations until the worker has refreshed its rows
    (inventory/services/team_showback.py).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=20, choices=StoragePool.Tier.choices)
    month = models.DateField(help_text="The month's first day.")
    allocated_byte_days = models.DecimalField(max_digits=40, decimal_places=0)
    used_byte_days = models.DecimalField(max_digits=40, decimal_places=0)
    not_reporting_days = models.BigIntegerField()
    counted_days = models.BigIntegerField()
    allocated_running = RunningTotalsField(element="numeric", null=True)
    used_running = RunningTotalsField(element="numeric", null=True)
    not_reporting_running = RunningTotalsField(null=True)
    counted_running = RunningTotalsField(null=True)

    class Meta:
        verbose_name = "team monthly showback"
        verbose_name_plural = "team monthly showback"
        constraints = [models.UniqueConstraint(fields=["month", "team", "tier"], name="team_monthly_showback_unique")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.tier} in {self.month:%Y-%m}"


class ShowbackStaleTeam(models.Model):
    """A mark that a team's TeamMonthlyShowback rows from month ``since`` on (every month when empty) may be
    out of date: the report works those figures out from the allocations until the worker refreshes them.

    Written by database triggers (migration 0018), so that no writer can forget it. A team may be marked
    many times: the marks are plain inserts, never updates of one row per team, so that two writers marking
    the same teams never wait for each other (and cannot deadlock on it); the worker takes them all at once.
    No foreign key: a team being deleted marks itself on its way out.
    """

    team_id = models.BigIntegerField()
    since = models.DateField(null=True, help_text="The first month that may have changed; empty: every month.")

    class Meta:
        verbose_name = "showback stale team"

    def __str__(self) -> str:
        return f"{self.team_id} since {self.since or 'ever'}"


class ShowbackRollupMonth(models.Model):
    """A month whose TeamMonthlyShowback rows are complete (for every team not stale); other months are
    worked out from the allocations when a report asks for them."""

    month = models.DateField(unique=True, help_text="The month's first day.")

    class Meta:
        verbose_name = "showback rollup month"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class TierPrice(models.Model):
    """What one TB-month of a pool tier costs, for the showback report (docs/domain.md, "Showback").

    One currency for every tier: costs of different tiers are added up, which only makes sense in one.
    """

    tier = models.CharField(max_length=20, choices=StoragePool.Tier.choices, unique=True, verbose_name=_("tier"))
    price_per_tb_month = models.DecimalField(
        _("price per TB-month"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Per decimal terabyte (10^12 bytes) allocated for a whole month."),
    )
    currency = models.CharField(
        max_length=3, default="NOK", help_text=_("ISO 4217 code, e.g. NOK, EUR."), verbose_name=_("currency")
    )

    class Meta:
        verbose_name_plural = _("tier prices")
        ordering = ["tier"]
        verbose_name = _("tier price")
        constraints = [
            models.CheckConstraint(condition=Q(price_per_tb_month__gte=0), name="tier_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: {self.price_per_tb_month} {self.currency} per TB-month"

    def clean(self) -> None:
        others = TierPrice.objects.exclude(pk=self.pk).exclude(currency=self.currency)
        other = others.values_list("currency", flat=True).first()
        if other:
            raise ValidationError(
                {
                    "currency": _(
                        "Every tier is priced in %(currency)s: costs of tiers are added up, so use one currency."
                    )
                    % {"currency": other}
                }
            )
