"""Write the demo scenario to the database in bulk, in one transaction.

Entities go in with `bulk_create` (no history rows: the demo has no past edits to show), usage samples
with PostgreSQL COPY; then the usage-state service works out each allocation's latest usage and the daily
pool and team rollups from the samples, as after an import.
The capacity triggers of migration 0003 stay on: they check every active allocation as it is inserted.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count, Q

from demo import catalogue, scenario
from inventory.models import (
    Allocation,
    Institution,
    PoolDailyUsage,
    ResearchProject,
    Site,
    StorageArray,
    StoragePool,
    Team,
    TeamDailyUsage,
    TeamMembership,
    TierPrice,
    UsageImport,
    UsageSample,
)
from inventory.roles import ALLOCATION_MANAGERS, INFRASTRUCTURE_ADMINS, ensure_roles
from inventory.services.usage_state import refresh_every_usage_state

BATCH = 2_000
#: Above this many allocations, per-row checks are swapped for set-wise ones (see load_allocations, load_samples).
BULK_LOAD_ABOVE = 5_000
LOGINS = {
    scenario.RESEARCHER: ("Rita", "Solberg", "rita.solberg@ifi.uio.example", False, None),
    scenario.INFRA: ("Ivar", "Nordmo", "ivar.nordmo@polaris.example", True, INFRASTRUCTURE_ADMINS),
    scenario.MANAGER: ("Maren", "Lysø", "maren.lyso@polaris.example", True, ALLOCATION_MANAGERS),
}


def demo_present() -> bool:
    """The demo's marker: its first site."""
    return Site.objects.filter(slug=catalogue.SITES[0]["slug"]).exists()


def reset() -> None:
    """Delete every inventory row. The demo's people stay, to be reused by the next load (see load_people)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in apps.get_app_config("inventory").get_models()]
    with transaction.atomic(), connection.cursor() as cursor:
        # Fire the deferred foreign-key checks of this transaction now: TRUNCATE refuses to run with
        # trigger events pending (tests, or a caller that already wrote in the same transaction).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


class Loader:
    """Loads one planned scenario; `report(phase, count, noun)` is called after each phase."""

    def __init__(self, *, scale: int, today: datetime.date, report: Callable[[str, int, str, float], None]):
        self.scale = scale
        self.today = today
        self.report = report
        self.started = time.monotonic()

    def done(self, phase: str, count: int, noun: str) -> None:
        self.report(phase, count, noun, time.monotonic() - self.started)

    def load(self) -> dict[str, int]:
        plan = scenario.plan(scale=self.scale, today=self.today)
        self.done("planned", len(plan.allocations), "allocations")
        with transaction.atomic():
            pools = self.load_storage()
            users = self.load_people(plan)
            teams = self.load_teams(plan, users)
            projects = self.load_projects(plan, teams, users)
            allocations = self.load_allocations(plan, projects, pools, users)
            samples = self.load_samples(plan, allocations)
            # The one owner of usage state works out latest usage, limits and rollups, as after an import.
            self.done("latest usage and daily rollups", refresh_every_usage_state(), "days")
            self.load_imports(pools)
        self.done("committed", 1, "transaction")
        # Fresh planner statistics, so the dashboard's first queries on millions of samples plan well.
        tables = [
            m._meta.db_table
            for m in (Allocation, UsageSample, ResearchProject, Team, TeamMembership, PoolDailyUsage, TeamDailyUsage)
        ]
        with connection.cursor() as cursor:
            for table in [*tables, get_user_model()._meta.db_table]:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        self.done("analysed", len(tables) + 1, "tables")
        return {"allocations": len(allocations), "samples": samples}

    def load_storage(self) -> dict[str, StoragePool]:
        sites = {s.slug: s for s in Site.objects.bulk_create(Site(**spec) for spec in catalogue.SITES)}
        arrays = {}
        for spec in catalogue.ARRAYS:
            commissioned = self.today - datetime.timedelta(days=spec["commissioned_days_ago"])
            array = StorageArray(
                site=sites[spec["site"]],
                name=spec["name"],
                slug=spec["slug"],
                vendor=spec["vendor"],
                model=spec["model"],
                serial_number=spec["serial_number"],
                media_type=spec["media_type"],
                raw_bytes=spec["raw_bytes"] * self.scale,
                usable_bytes=spec["usable_bytes"] * self.scale,
                firmware_version=spec["firmware_version"],
                commissioned_on=commissioned,
                support_ends_on=commissioned.replace(year=commissioned.year + spec["support_years"]),
                management_url=spec["management_url"],
                notes=spec["notes"],
            )
            arrays[spec["slug"]] = array
        StorageArray.objects.bulk_create(arrays.values())
        pools = {}
        for spec in catalogue.POOLS:
            pools[spec["slug"]] = StoragePool(
                array=arrays[spec["array"]],
                name=spec["name"],
                slug=spec["slug"],
                tier=spec["tier"],
                protocols=spec["protocols"],
                capacity_bytes=spec["capacity_bytes"] * self.scale,
                max_oversubscription=spec["max_oversubscription"],
                notes=spec["notes"],
                # Researchers may ask for space on the big, slow tiers from their projects' pages.
                open_for_requests=spec["tier"] in ("capacity", "scratch"),
            )
        StoragePool.objects.bulk_create(pools.values())
        self.done("storage", len(pools), "pools")
        return pools

    def load_people(self, plan: scenario.Scenario) -> dict[str, int]:
        """Demo people have no usable password; only the three logins can sign in."""
        User = get_user_model()
        for username, (first, last, email, is_staff, group) in LOGINS.items():
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": email}
            )
            if created:
                user.set_password(username)
            user.is_staff = is_staff
            user.save()
            if group:
                if not Group.objects.filter(name=group).exists():
                    ensure_roles()  # a database emptied without migrating again
                user.groups.add(Group.objects.get(name=group))
        unusable = make_password(None)
        User.objects.bulk_create(
            (
                User(
                    username=p.username,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    email=p.email,
                    password=unusable,
                )
                for p in plan.people
            ),
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        wanted = {p.username for p in plan.people} | set(LOGINS)
        users, stale = {}, []
        demo_people = User.objects.filter(
            Q(username__in=list(LOGINS)) | Q(email__endswith=catalogue.DEMO_EMAIL_SUFFIX, is_staff=False)
        )
        for username, pk in demo_people.values_list("username", "pk"):
            if username in wanted:
                users[username] = pk
            else:
                stale.append(pk)
        # People of an earlier, larger demo (a --reset to a smaller scale). Deleting users goes through the
        # ORM's cascades, which is slow for tens of thousands: that is why a reset keeps the people it reuses.
        for start in range(0, len(stale), BATCH):
            User.objects.filter(pk__in=stale[start : start + BATCH], is_superuser=False).delete()
        self.done("people", len(users), f"users ({len(stale):,} left from a larger demo deleted)" if stale else "users")
        return users

    def load_institutions(self) -> dict[str, Institution]:
        institutions = Institution.objects.bulk_create(
            Institution(slug=slug, name=name, short_name=short) for slug, name, short in catalogue.INSTITUTIONS
        )
        TierPrice.objects.bulk_create(
            TierPrice(tier=tier, price_per_tb_month=Decimal(price), currency="NOK")
            for tier, price in catalogue.TIER_PRICES.items()
        )
        self.done("institutions", len(institutions), "institutions and tier prices")
        return {i.slug: i for i in institutions}

    def load_teams(self, plan: scenario.Scenario, users: dict[str, int]) -> dict[str, Team]:
        institutions = self.load_institutions()
        teams = Team.objects.bulk_create(
            (
                Team(slug=t.slug, name=t.name, institution=institutions[t.institution], description=t.description)
                for t in plan.teams
            ),
            batch_size=BATCH,
        )
        by_slug = {team.slug: team for team in teams}
        memberships = TeamMembership.objects.bulk_create(
            (
                TeamMembership(team=by_slug[t.slug], user_id=users[username], role=role)
                for t in plan.teams
                for username, role in t.members
            ),
            batch_size=BATCH,
        )
        self.done("teams", len(teams), f"teams, {len(memberships):,} memberships")
        return by_slug

    def load_projects(self, plan, teams, users) -> dict[str, ResearchProject]:
        projects = ResearchProject.objects.bulk_create(
            (
                ResearchProject(
                    code=p.code,
                    title=p.title,
                    team=teams[p.team],
                    principal_investigator_id=users[p.principal_investigator],
                    field_of_science=p.field_of_science,
                    status=p.status,
                    start_date=p.start_date,
                    end_date=p.end_date,
                    description=p.description,
                )
                for p in plan.projects
            ),
            batch_size=BATCH,
        )
        self.done("projects", len(projects), "projects")
        return {p.code: p for p in projects}

    def load_allocations(self, plan, projects, pools, users) -> list[tuple[scenario.AllocationPlan, int]]:
        rows = [
            Allocation(
                project=projects[a.project],
                pool=pools[a.pool],
                quota_bytes=a.quota_bytes,
                status=a.status,
                start_date=a.start_date,
                end_date=a.end_date,
                quota_id=a.quota_id,
                requested_by_id=users[a.requested_by] if a.requested_by else None,
                approved_by_id=users[a.approved_by] if a.approved_by else None,
                approved_at=a.approved_at,
                justification=a.justification,
            )
            for a in plan.allocations
        ]
        # The pool trigger sums the pool's active quotas for every row it checks: quadratic in the
        # allocations per pool (see bench/ANALYSIS.md for what that costs at national scale).
        # For big loads it is switched off for this insert only, inside the transaction (so a failure
        # rolls the switch back too), once the plan is shown to fit; the rule is then checked again in
        # SQL, for every pool at once, before anything commits.
        bypass = len(rows) > BULK_LOAD_ABOVE
        if bypass:
            self.check_plan_fits(plan, pools)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events: ALTER TABLE needs that
                cursor.execute("ALTER TABLE inventory_allocation DISABLE TRIGGER allocation_fits_pool")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        Allocation.objects.bulk_create(rows, batch_size=BATCH)
        if bypass:
            with connection.cursor() as cursor:
                # ALTER TABLE refuses to run while the insert's deferred foreign-key checks are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE inventory_allocation ENABLE TRIGGER allocation_fits_pool")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.check_pools_hold_allocations()
        self.done(
            "allocations", len(rows), "allocations" + (" (pool trigger bypassed, checked per pool)" if bypass else "")
        )
        return [(a, row.pk) for a, row in zip(plan.allocations, rows, strict=True)]

    @staticmethod
    def check_plan_fits(plan: scenario.Scenario, pools: dict[str, StoragePool]) -> None:
        """The rule of trigger allocation_fits_pool, on the plan: active quotas ≤ capacity × oversubscription."""
        allocated = dict.fromkeys(pools, 0)
        for allocation in plan.allocations:
            if allocation.status == "active":
                allocated[allocation.pool] += allocation.quota_bytes
        for slug, pool in pools.items():
            if allocated[slug] > pool.allowed_bytes:
                raise RuntimeError(f"demo plan over-allocates {slug}: {allocated[slug]} > {pool.allowed_bytes} bytes")

    @staticmethod
    def check_pools_hold_allocations() -> None:
        """The same rule in SQL, over what was written: one aggregate for every pool."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT p.slug, sum(a.quota_bytes), inventory_allowed_bytes(p.capacity_bytes, p.max_oversubscription)
                  FROM inventory_storagepool p
                  JOIN inventory_allocation a ON a.pool_id = p.id AND a.status = 'active'
                 GROUP BY p.id
                HAVING sum(a.quota_bytes) > inventory_allowed_bytes(p.capacity_bytes, p.max_oversubscription)
                """
            )
            over = cursor.fetchall()
        if over:
            raise RuntimeError(f"demo data over-allocates pools (slug, allocated, allowed): {over}")

    def load_samples(self, plan, allocations) -> int:
        window_start = self.today - datetime.timedelta(days=scenario.DAYS - 1)
        moments = [
            datetime.datetime.combine(window_start + datetime.timedelta(days=d), datetime.time(), tzinfo=datetime.UTC)
            for d in range(scenario.DAYS)
        ]
        # Its own generator, so the sample jitter does not shift with the number of entities planned before.
        rng = random.Random(scenario.SEED)
        count = 0
        with connection.cursor() as cursor:
            # Millions of rows each queue a deferred foreign-key check that runs at COMMIT, one index
            # lookup and row lock per sample (most of a minute at --scale 500). For big loads the
            # constraint is dropped and re-added after the COPY, which validates it in one join, as
            # PostgreSQL's "Populating a Database" advises. Both happen inside the transaction.
            foreign_keys = self.sample_foreign_keys(cursor) if len(allocations) > BULK_LOAD_ABOVE else []
            if foreign_keys:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events: ALTER TABLE needs that
                for name, _ in foreign_keys:
                    cursor.execute(
                        f"ALTER TABLE inventory_usagesample DROP CONSTRAINT {connection.ops.quote_name(name)}"
                    )
            copy_sql = (
                "COPY inventory_usagesample "
                "(allocation_id, measured_at, used_bytes, physical_used_bytes, file_count, source) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for allocation, pk in allocations:
                    if allocation.usage is None:
                        continue
                    for row in scenario.sample_rows(allocation, pk, moments, rng):
                        copy.write_row(row)
                        count += 1
            for name, definition in foreign_keys:
                cursor.execute(
                    f"ALTER TABLE inventory_usagesample ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                )
            if foreign_keys:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            self.report_limits(cursor, allocations)
        self.done(
            "samples", count, "usage samples" + (" (foreign key re-validated in one pass)" if foreign_keys else "")
        )
        return count

    @staticmethod
    def report_limits(cursor, allocations) -> None:
        """The hard limit the array enforces, as its newest report carries it (quota drift comes from there)."""
        limits = [(pk, a.enforced_quota_bytes) for a, pk in allocations if a.enforced_quota_bytes is not None]
        if not limits:
            return
        cursor.execute(
            """
            UPDATE inventory_usagesample s
               SET hard_limit_bytes = l.hard_limit, limits_reported = true
              FROM unnest(%s::bigint[], %s::bigint[]) AS l(allocation_id, hard_limit)
             WHERE s.allocation_id = l.allocation_id
               AND s.measured_at = (SELECT max(measured_at) FROM inventory_usagesample
                                     WHERE allocation_id = l.allocation_id)
            """,
            [[pk for pk, _ in limits], [limit for _, limit in limits]],
        )

    @staticmethod
    def sample_foreign_keys(cursor) -> list[tuple[str, str]]:
        """The usage samples' foreign key(s) to allocations: name and definition, to drop and re-add."""
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid)
              FROM pg_constraint
             WHERE conrelid = 'inventory_usagesample'::regclass
               AND confrelid = 'inventory_allocation'::regclass
               AND contype = 'f'
            """
        )
        return cursor.fetchall()

    def load_imports(self, pools: dict[str, StoragePool]) -> None:
        """A few import runs for the import history page: today's, and one that failed."""
        formats = {"lustre-scratch": "lfs"}
        today_samples = dict(
            Allocation.objects.filter(usage_measured_at__date=self.today)
            .values("pool__slug")
            .annotate(n=Count("pk"))
            .values_list("pool__slug", "n")
        )
        imports = [
            UsageImport(
                file_name=f"{slug}-{self.today:%Y%m%d}.{'txt' if slug in formats else 'json'}",
                format=formats.get(slug, "xdmod"),
                pool=pool,
                outcome=UsageImport.Outcome.SUCCEEDED,
                records=today_samples.get(slug, 0),
                added=today_samples.get(slug, 0),
            )
            for slug, pool in pools.items()
        ]
        imports.append(
            UsageImport(
                file_name=f"a800-{self.today:%Y%m%d}-old-names.json",
                format="xdmod",
                outcome=UsageImport.Outcome.FAILED,
                records=3,
                error_count=1,
                messages=['record 2: unknown pool "a800-scratch"; known pools: ' + ", ".join(sorted(pools))],
            )
        )
        UsageImport.objects.bulk_create(imports)
        self.done("imports", len(imports), "usage imports")
