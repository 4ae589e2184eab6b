"""`manage.py seed_demo`: the demo's shape, its capacity rules, its forecast story, idempotence and scaling."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dashboard.selectors.forecasts import pool_forecasts
from demo import loader
from inventory.models import (
    Allocation,
    PoolDailyUsage,
    ResearchProject,
    Site,
    StorageArray,
    StoragePool,
    Team,
    TeamDailyUsage,
    UsageSample,
)

pytestmark = pytest.mark.django_db

PB = 10**15


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The three demo logins are hashed on every load; PBKDF2 would make each test take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "sites": Site.objects.count(),
        "arrays": StorageArray.objects.count(),
        "pools": StoragePool.objects.count(),
        "teams": Team.objects.count(),
        "projects": ResearchProject.objects.count(),
        "allocations": Allocation.objects.count(),
        "samples": UsageSample.objects.count(),
        "users": get_user_model().objects.count(),
    }


def midnight_today() -> datetime.datetime:
    return datetime.datetime.combine(timezone.now().date(), datetime.time(), tzinfo=datetime.UTC)


def test_loads_the_scenario_at_scale_1():
    output = seed()

    assert "Loaded the demo at scale 1" in output
    assert "samples:" in output  # one progress line per phase
    assert counts() | {"samples": 0, "users": 0} == {
        "sites": 2,
        "arrays": 3,
        "pools": 5,
        "teams": 12,
        "projects": 40,
        "allocations": 80,
        "samples": 0,
        "users": 0,
    }
    a800 = StorageArray.objects.get(model="OceanStor A800")
    assert a800.raw_bytes == 2 * PB
    assert 1.5 * PB <= a800.usable_bytes <= 1.7 * PB
    assert set(StoragePool.objects.values_list("slug", flat=True)) == {
        "a800-llm-train",
        "a800-datasets",
        "dorado-projects",
        "dorado-home",
        "lustre-scratch",
    }
    assert set(Allocation.objects.values_list("status", flat=True)) == set(Allocation.Status.values)
    assert not Allocation.objects.filter(status="active").filter(
        Q(approved_by=None) | Q(approved_at=None) | Q(quota_id="") | Q(requested_by=None)
    )
    assert ResearchProject.objects.filter(code__regex=r"^NN[0-9]{4}K$").count() == 40
    assert Team.objects.annotate(n=Count("memberships")).filter(n__lt=3).count() == 0
    assert Allocation.objects.exclude(enforced_quota_bytes=None).exclude(enforced_quota_bytes=F("quota_bytes"))


def test_ninety_days_of_midnight_samples_ending_today():
    seed()

    samples = UsageSample.objects.all()
    days = samples.annotate(day=TruncDate("measured_at")).values("day").distinct().count()
    assert days == 90
    assert samples.order_by("-measured_at").first().measured_at == midnight_today()
    assert samples.order_by("measured_at").first().measured_at == midnight_today() - datetime.timedelta(days=89)
    assert not samples.exclude(measured_at__hour=0, measured_at__minute=0, measured_at__second=0).exists()
    assert not samples.filter(allocation__status__in=["requested", "denied", "revoked"]).exists()
    # Expired allocations report only while they ran.
    assert not samples.filter(allocation__status="expired", measured_at__date__gt=F("allocation__end_date")).exists()
    assert samples.filter(allocation__status="expired").exists()
    assert not samples.filter(physical_used_bytes__gt=F("used_bytes")).exists()
    assert not samples.filter(file_count=None).exists()


def test_data_reduction_on_flash_but_not_on_lustre():
    seed()

    big = Allocation.objects.filter(used_bytes__gt=10**12)
    lustre = big.filter(pool__slug="lustre-scratch")
    assert lustre.exists()
    assert not lustre.exclude(physical_used_bytes=F("used_bytes")).exists()
    for used, physical in big.exclude(pool__slug="lustre-scratch").values_list("used_bytes", "physical_used_bytes"):
        assert 1.3 <= used / physical <= 2.51


def test_some_allocations_are_near_or_over_quota():
    seed()

    active = Allocation.objects.filter(status="active", used_bytes__isnull=False)
    over = [a for a in active if a.used_bytes >= a.quota_bytes]
    near = [a for a in active if 0.8 * a.quota_bytes <= a.used_bytes < 0.9 * a.quota_bytes]
    assert len(over) >= 2
    assert len(near) >= 3
    assert len(over) + len(near) < active.count() / 3  # most teams are comfortable


def test_latest_usage_is_the_newest_sample():
    seed()

    newest = UsageSample.objects.filter(allocation=OuterRef("pk")).order_by("-measured_at")
    allocations = Allocation.objects.annotate(
        sample_at=Subquery(newest.values("measured_at")[:1]),
        sample_used=Subquery(newest.values("used_bytes")[:1]),
        sample_physical=Subquery(newest.values("physical_used_bytes")[:1]),
        sample_files=Subquery(newest.values("file_count")[:1]),
    )
    with_samples = 0
    for a in allocations:
        assert (a.usage_measured_at, a.used_bytes, a.physical_used_bytes, a.file_count) == (
            a.sample_at,
            a.sample_used,
            a.sample_physical,
            a.sample_files,
        )
        with_samples += a.sample_at is not None
    assert with_samples >= 60
    assert Allocation.objects.filter(status="active").exclude(usage_measured_at=midnight_today()).count() == 0


def assert_capacity_rules_hold():
    for pool in StoragePool.objects.annotate(
        allocated=Sum("allocations__quota_bytes", filter=Q(allocations__status="active"))
    ):
        assert 0 < pool.allocated <= pool.allowed_bytes, pool.slug
    for array in StorageArray.objects.annotate(pooled=Sum("pools__capacity_bytes")):
        assert array.pooled <= array.usable_bytes <= array.raw_bytes, array.slug


def test_capacity_rules_hold():
    seed()

    assert_capacity_rules_hold()
    # Not trivially: the LLM pool is nearly fully committed, as the story goes.
    pool = StoragePool.objects.get(slug="a800-llm-train")
    allocated = Allocation.objects.filter(pool=pool, status="active").aggregate(s=Sum("quota_bytes"))["s"]
    assert allocated >= 0.9 * pool.allowed_bytes


def test_one_pool_fills_within_the_month():
    seed()

    assert PoolDailyUsage.objects.count() == 5 * 90  # the rollups the forecast reads are loaded too
    assert TeamDailyUsage.objects.exists()
    forecasts = {StoragePool.objects.get(pk=pk).slug: f.days_until_full for pk, f in pool_forecasts().items()}
    assert 15 <= forecasts.pop("lustre-scratch") <= 25
    assert all(days is None or days > 45 for days in forecasts.values()), forecasts


def test_demo_logins_and_roles():
    seed()

    User = get_user_model()
    researcher = User.objects.get(username="researcher")
    assert researcher.check_password("researcher")
    assert not researcher.is_staff and not researcher.is_superuser
    assert researcher.teams.count() == 2
    infra = User.objects.get(username="infra")
    assert infra.check_password("infra") and infra.is_staff
    assert list(infra.groups.values_list("name", flat=True)) == ["Infrastructure admins"]
    manager = User.objects.get(username="manager")
    assert manager.check_password("manager") and manager.is_staff
    assert list(manager.groups.values_list("name", flat=True)) == ["Allocation managers"]
    assert Allocation.objects.filter(approved_by=manager).exists()
    # Team members have names but cannot sign in.
    member = User.objects.filter(team_memberships__role="member").exclude(username="researcher").first()
    assert member.first_name and member.last_name and not member.has_usable_password()
    assert User.objects.filter(team_memberships__role="manager").exists()


def test_running_twice_changes_nothing():
    seed()
    before = counts()
    latest = list(Allocation.objects.order_by("pk").values_list("pk", "used_bytes"))

    output = seed()

    assert "Demo data already present" in output
    assert counts() == before
    assert list(Allocation.objects.order_by("pk").values_list("pk", "used_bytes")) == latest


def test_reset_reloads_the_same_data():
    seed()
    before = counts()
    quotas = sorted(Allocation.objects.values_list("quota_id", "quota_bytes", "used_bytes"))

    seed("--reset")

    assert counts() == before
    assert sorted(Allocation.objects.values_list("quota_id", "quota_bytes", "used_bytes")) == quotas


def test_scale_2_doubles_and_still_fits():
    seed()
    single = counts()

    seed("--reset", "--scale", "2")

    double = counts()
    for key in ("sites", "arrays", "pools"):
        assert double[key] == single[key]
    for key in ("teams", "projects", "allocations"):
        assert double[key] == 2 * single[key]
    assert 1.8 * single["samples"] <= double["samples"] <= 2.2 * single["samples"]
    assert StorageArray.objects.get(model="OceanStor A800").raw_bytes == 4 * PB
    assert_capacity_rules_hold()

    output = seed("--reset")  # back to scale 1: the second block's people go too

    assert "left from a larger demo deleted" in output
    assert counts() == single


def test_quiet_at_verbosity_0():
    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    call_command("seed_demo", verbosity=0, stdout=out)

    assert out.getvalue() == ""
    assert Allocation.objects.count() == 80


def test_refuses_a_scale_below_1():
    with pytest.raises(CommandError, match="at least 1"):
        seed("--scale", "0")
    assert not Site.objects.exists()


def pool_trigger_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'allocation_fits_pool'")
        return cursor.fetchone()[0]


def sample_foreign_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'inventory_usagesample'::regclass "
            "AND confrelid = 'inventory_allocation'::regclass"
        )
        return [row[0] for row in cursor.fetchall()]


def test_big_loads_check_set_wise_then_restore_the_per_row_checks(monkeypatch):
    foreign_keys = sample_foreign_keys()
    monkeypatch.setattr(loader, "BULK_LOAD_ABOVE", 10)  # what --scale 500 does, at scale 1

    output = seed()

    assert "pool trigger bypassed" in output
    assert "foreign key re-validated" in output
    assert pool_trigger_state() == "O"  # enabled again ("O": fires in origin sessions)
    assert (
        sample_foreign_keys()
        == foreign_keys
        == ["FOREIGN KEY (allocation_id) REFERENCES inventory_allocation(id) DEFERRABLE INITIALLY DEFERRED"]
    )
    assert_capacity_rules_hold()
    # And it still refuses over-allocation.
    pool = StoragePool.objects.get(slug="dorado-home")
    project = ResearchProject.objects.exclude(allocations__pool=pool, allocations__status="active").first()
    with pytest.raises(IntegrityError, match="over-allocated"), transaction.atomic():
        Allocation.objects.create(project=project, pool=pool, quota_bytes=pool.allowed_bytes, status="active")


def test_small_loads_check_row_by_row():
    output = seed()

    assert "bypassed" not in output
    assert "re-validated" not in output
    assert pool_trigger_state() == "O"
