#!/usr/bin/env python
"""Build (or reuse) the "wide" benchmark dataset: many arrays and pools, one very big team.

    bench/wide.py --days 30 [--rebuild]

The shape a peer's benchmark measured (issue "The dashboard at its best"): 160 arrays with 600 pools,
2,000 projects, 10,000 allocations, one team with 509 allocations and 309 members, and one usage sample a
day per reporting allocation: 30 days give about 300,000 samples, 300 days about 3,000,000. The demo
generator (bench/datasets.py) grows teams and projects; this one grows what the demo keeps small (arrays,
pools, one team's size), so pages that loop over pools, arrays or a team's members show it. Two histories
of the same shape tell whether a page grows with the length of the usage history.

Each history lives in its own database, ``<prefix>_wide_d<days>``, noted like the scaled datasets (a JSON
comment) and reused while this file and the migrations are unchanged. Load times go to
results/dataset_wide_d<days>.json and the history.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from dataclasses import dataclass

import benchlib
from benchlib import BENCH, ROOT, log

#: The big team's slug, so the report can say which team page it measured.
BIG_TEAM = "wide-big-team"


@dataclass(frozen=True)
class Shape:
    """How many of each thing; the default is the peer benchmark's shape."""

    arrays: int = 160
    pools: int = 600
    teams: int = 400
    projects: int = 2_000
    allocations: int = 10_000
    big_team_projects: int = 120
    big_team_allocations: int = 509
    big_team_members: int = 309
    #: Allocations that are not active: a few requests waiting (overview, admin) and a few that ended.
    requested: int = 50
    expired: int = 100


WIDE = Shape()
TB = 10**12


def database(days: int) -> str:
    return f"{benchlib.PREFIX}_wide_d{days}"


def fingerprint() -> str:
    """Changes with this builder or the schema: a stale wide dataset is loaded again."""
    digest = hashlib.sha256((BENCH / "wide.py").read_bytes())
    for path in sorted((ROOT / "inventory" / "migrations").glob("0*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- the plan: who owns what (pure, tested) ----------------------------------------------------------------


def pools_per_array(arrays: int, pools: int) -> list[int]:
    """How many pools each array has: as even as whole numbers allow (600 over 160: 120 × 4 and 40 × 3)."""
    base, extra = divmod(pools, arrays)
    return [base + (1 if index < extra else 0) for index in range(arrays)]


def allocation_owners(*, projects: int, allocations: int, big: int, big_projects: int) -> list[int]:
    """The project index (0-based) of each allocation: the big team's projects (the first *big_projects*)
    hold exactly *big* allocations, the other projects share the rest round-robin."""
    owners = [index % big_projects for index in range(big)]
    rest = projects - big_projects
    owners += [big_projects + index % rest for index in range(allocations - big)]
    return owners


# --- the load (runs inside Django) -------------------------------------------------------------------------

_SAMPLES_SQL = """
INSERT INTO inventory_usagesample
    (allocation_id, measured_at, used_bytes, physical_used_bytes, file_count, source, limits_reported)
SELECT a.id,
       (CURRENT_DATE - d)::timestamp AT TIME ZONE 'UTC',
       -- Each allocation fills its own share of its quota and grows towards it: pools and teams have
       -- trends to forecast, and a few allocations cross their warning thresholds.
       (a.quota_bytes * (0.30 + 0.65 * mod(a.id * 37, 100) / 100.0) * (1.0 - d::numeric / (%(days)s * 3)))::bigint,
       (a.quota_bytes * (0.30 + 0.65 * mod(a.id * 37, 100) / 100.0) * (1.0 - d::numeric / (%(days)s * 3))
           * 0.8)::bigint,
       1000 + a.id * 10 + (%(days)s - d),
       'wide-bench',
       false
  FROM inventory_allocation a
  CROSS JOIN generate_series(0, %(days)s - 1) AS d
 WHERE a.status IN ('active', 'expired')
"""


def load(days: int, shape: Shape = WIDE) -> dict[str, int]:
    """Write the wide dataset into the (migrated, empty) database Django is configured for."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from inventory.models import (
        Allocation,
        Institution,
        ResearchProject,
        Site,
        StorageArray,
        StoragePool,
        Team,
        TeamMembership,
    )
    from inventory.services.usage_state import refresh_every_usage_state

    today = timezone.now().date()
    User = get_user_model()
    with transaction.atomic():
        sites = Site.objects.bulk_create(Site(name=f"Site {n}", slug=f"site-{n}", city="Oslo") for n in range(4))
        layout = pools_per_array(shape.arrays, shape.pools)
        arrays = StorageArray.objects.bulk_create(
            StorageArray(
                site=sites[index % len(sites)],
                name=f"Array {index:03d}",
                slug=f"array-{index:03d}",
                vendor="Huawei",
                model="OceanStor A800",
                serial_number=f"WIDE{index:05d}",
                raw_bytes=count * 1200 * TB,
                usable_bytes=count * 1000 * TB,
                commissioned_on=today - datetime.timedelta(days=400),
            )
            for index, count in enumerate(layout)
        )
        tiers = [choice for choice, _ in StoragePool.Tier.choices]
        pools = StoragePool.objects.bulk_create(
            StoragePool(
                array=array,
                name=f"Pool {array.slug[-3:]}-{n}",
                slug=f"pool-{array.slug[-3:]}-{n}",
                tier=tiers[n % len(tiers)],
                capacity_bytes=1000 * TB,
                max_oversubscription=Decimal("1.50"),
                open_for_requests=n == 0,
            )
            for array, count in zip(arrays, layout, strict=True)
            for n in range(count)
        )
        institution = Institution.objects.create(name="Wide University", slug="wide-u", short_name="WU")
        unusable = make_password(None)
        users = User.objects.bulk_create(
            User(
                username=f"wide-user-{n:04d}",
                last_name=f"Person {n:04d}",
                email=f"p{n}@wide.invalid",
                password=unusable,
            )
            for n in range(shape.teams * 2 + shape.big_team_members)
        )
        teams = Team.objects.bulk_create(
            Team(
                name="Wide big team" if n == 0 else f"Wide team {n:03d}",
                slug=BIG_TEAM if n == 0 else f"wide-team-{n:03d}",
                institution=institution,
            )
            for n in range(shape.teams)
        )
        # The big team: 309 members (the first ten manage it); every other team two people of its own.
        memberships = [
            TeamMembership(team=teams[0], user=users[n], role="manager" if n < 10 else "member")
            for n in range(shape.big_team_members)
        ]
        memberships += [
            TeamMembership(team=teams[t], user=users[shape.big_team_members + 2 * t + k], role="member")
            for t in range(1, shape.teams)
            for k in range(2)
        ]
        TeamMembership.objects.bulk_create(memberships)
        big_projects = shape.big_team_projects
        projects = ResearchProject.objects.bulk_create(
            ResearchProject(
                code=f"W{n:05d}",
                title=f"Wide project {n}",
                team=teams[0] if n < big_projects else teams[1 + n % (shape.teams - 1)],
                principal_investigator=users[n % len(users)],
                start_date=today - datetime.timedelta(days=500),
            )
            for n in range(shape.projects)
        )
        owners = allocation_owners(
            projects=shape.projects,
            allocations=shape.allocations,
            big=shape.big_team_allocations,
            big_projects=big_projects,
        )
        active = shape.allocations - shape.requested - shape.expired
        statuses = ["active"] * active + ["expired"] * shape.expired + ["requested"] * shape.requested
        # Spread every team's allocations over many pools (the big team's over hundreds): pool n takes
        # allocation n, n + 600, ... so each pool holds about 17 allocations, 10-50 TB each.
        rows = [
            Allocation(
                project=projects[owner],
                pool=pools[(index * 7) % len(pools)],
                quota_bytes=(10 + (index * 13) % 41) * TB,
                status=statuses[index],
                start_date=today - datetime.timedelta(days=400),
                end_date=today + datetime.timedelta(days=10 + index % 400)
                if statuses[index] == "active"
                else (today - datetime.timedelta(days=1) if statuses[index] == "expired" else None),
                quota_id=f"wide-{index:05d}",
            )
            for index, owner in enumerate(owners)
        ]
        Allocation.objects.bulk_create(rows, batch_size=2_000)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(_SAMPLES_SQL, {"days": days})
            samples = cursor.rowcount
        refresh_every_usage_state()
    return {"pools": len(pools), "allocations": len(rows), "samples": samples}


# --- reuse or build ---------------------------------------------------------------------------------------


def ensure(days: int, *, rebuild: bool = False) -> dict:
    """The wide dataset with *days* of history (database, counts, load time), loading it when needed."""
    import datasets

    name = database(days)
    note = benchlib.database_metadata(name)
    print_ = fingerprint()
    reason = None
    if rebuild:
        reason = "--rebuild"
    elif note is None or note.get("shape") != "wide" or note.get("days") != days:
        reason = "no wide dataset yet"
    elif note.get("fingerprint") != print_:
        reason = "the builder or the migrations changed since it was loaded"
    if reason is None:
        log(f"wide dataset ({days} days): reusing {name} (loaded {note['loaded_at']})")
        benchlib.save_result("wide_dataset", f"dataset_wide_d{days}", {**note, "reused": True})
        return {**note, "reused": True}
    log(f"wide dataset ({days} days): building {name} ({reason})")
    timings = {}
    with benchlib.Timer() as total:
        benchlib.drop_database(name)
        benchlib.create_database(name)
        with benchlib.Timer() as t:
            benchlib.manage(name, "migrate", "--noinput", "-v0", capture=True)
        timings["migrate_s"] = round(t.seconds, 2)
        with benchlib.Timer() as t:
            subprocess.run(
                [benchlib.PYTHON, str(BENCH / "wide.py"), "--days", str(days), "--load-here"],
                cwd=ROOT,
                # Millions of samples in one INSERT and the rollups over them: no per-statement limit.
                env=benchlib.project_env(name, DATABASE_STATEMENT_TIMEOUT="0"),
                check=True,
            )
        timings["load_s"] = round(t.seconds, 2)
        benchlib.manage(name, "shell", "-c", datasets._CREATE_SUPERUSER, capture=True)
        with benchlib.Timer() as t, benchlib.connect(name) as conn:
            conn.execute("VACUUM ANALYZE")
        timings["vacuum_analyze_s"] = round(t.seconds, 2)
    with benchlib.connect(name) as conn:
        found = {
            key: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for key, table in (
                ("arrays", "inventory_storagearray"),
                ("pools", "inventory_storagepool"),
                ("teams", "inventory_team"),
                ("projects", "inventory_researchproject"),
                ("allocations", "inventory_allocation"),
                ("samples", "inventory_usagesample"),
                ("pool_daily_usage", "inventory_pooldailyusage"),
                ("team_daily_usage", "inventory_teamdailyusage"),
            )
        }
        found["big_team_members"] = conn.execute(
            "SELECT count(*) FROM inventory_teammembership m JOIN inventory_team t ON t.id = m.team_id "
            "WHERE t.slug = %s",
            [BIG_TEAM],
        ).fetchone()[0]
        found["big_team_allocations"] = conn.execute(
            "SELECT count(*) FROM inventory_allocation a JOIN inventory_researchproject p ON p.id = a.project_id "
            "JOIN inventory_team t ON t.id = p.team_id WHERE t.slug = %s",
            [BIG_TEAM],
        ).fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    note = {
        "shape": "wide",
        "days": days,
        "database": name,
        "fingerprint": print_,
        "loaded_at": benchlib.now_utc(),
        "load_seconds": round(total.seconds, 1),
        "timings": timings,
        "counts": found,
        "database_bytes": size,
    }
    benchlib.set_database_metadata(name, note)
    log(
        f"wide dataset ({days} days): {found['arrays']} arrays, {found['pools']} pools, {found['allocations']:,} "
        f"allocations, {found['samples']:,} samples, {size / 1e9:.2f} GB, loaded in {total.seconds:.0f} s"
    )
    benchlib.save_result("wide_dataset", f"dataset_wide_d{days}", {**note, "reused": False})
    return {**note, "reused": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30, help="days of usage history (30: ~300,000 samples)")
    parser.add_argument("--rebuild", action="store_true", help="load again even if present")
    parser.add_argument("--load-here", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.load_here:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        log(f"  loaded {load(args.days)}")
        return
    benchlib.server_url()
    ensure(args.days, rebuild=args.rebuild)


if __name__ == "__main__":
    main()
