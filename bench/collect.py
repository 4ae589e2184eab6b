#!/usr/bin/env python
"""Time one collection of 10,000 quota trees from the simulated DeviceManager, end to end.

    bench/collect.py [--trees 10000] [--database cap_bench_collect]

The database is created and migrated if missing and given an array, a pool and one allocation per quota
tree. The simulator (tests/collection/simulators.py) serves the trees on real sockets; the run logs in,
pages through file systems and quota trees, reads each tree's quotas, logs out, and stores the usage
through the usage import. Each run uses a new moment, so every run adds a full set of samples. Prints the
seconds taken and the quota trees per second (target: at most 30 s for 10,000).
"""

from __future__ import annotations

import argparse
import sys
import time

import benchlib
from benchlib import ROOT, log

TB = 10**12
TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--trees", type=int, default=10_000)
    parser.add_argument("--database", default=f"{benchlib.PREFIX}_collect")
    parser.add_argument("--no-report", action="store_true", help="accepted for bench/run_all.py; nothing else")
    args = parser.parse_args()

    # A fresh database each run: a run that failed half-way must not leave its inventory behind.
    if benchlib.database_exists(args.database):
        benchlib.drop_database(args.database)
    log(f"creating {args.database}")
    benchlib.create_database(args.database)
    benchlib.manage(args.database, "migrate", "--noinput", "-v0")
    benchlib.setup_django(args.database)
    sys.path.insert(0, str(ROOT))

    from collection.models import Collector
    from collection.services.run import collect
    from collection.services.targets import Target, connection
    from tests.collection.simulators import DeviceManagerSimulator, build_state

    state = build_state(trees=args.trees, file_systems=4, serial="BENCH-COLLECT")
    array, pool = _inventory(args.trees)
    with DeviceManagerSimulator(state) as sim:
        target = Target(
            kind=Collector.Kind.OCEANSTOR,
            array=array,
            connection=connection(base_url=sim.url, username=state.username, password=state.password, verify=False),
        )
        started = time.perf_counter()
        phases: list[tuple[float, str]] = []
        run, _ = collect(target=target, progress=lambda message: phases.append((time.perf_counter(), message)))
        seconds = time.perf_counter() - started
    for (moment, message), (following, _) in zip(phases, [*phases[1:], (started + seconds, "")], strict=True):
        log(f"{following - moment:6.1f} s  {message}")
    if run.errors:
        print("\n".join(run.errors[:10]), file=sys.stderr)
        return 1
    rate = args.trees / seconds
    verdict = "ok" if seconds <= TARGET_SECONDS else "MISSED"
    benchlib.save_result(
        "collect",
        "collect",
        {
            "trees": args.trees,
            "seconds": round(seconds, 2),
            "per_second": round(rate, 1),
            "samples_added": run.samples_added,
            "sessions_opened": state.sessions_opened,
            "sessions_closed": state.sessions_closed,
            "target_seconds": TARGET_SECONDS,
            "phases": [
                {"message": message, "seconds": round(following - moment, 2)}
                for (moment, message), (following, _) in zip(
                    phases, [*phases[1:], (started + seconds, "")], strict=True
                )
            ],
        },
    )
    print(
        f"collect: {args.trees} quota trees in {seconds:.1f} s ({rate:.0f}/s), {run.samples_added} samples added, "
        f"sessions opened {state.sessions_opened} / closed {state.sessions_closed}; target <= {TARGET_SECONDS:.0f} s: {verdict}"
    )
    return 0 if seconds <= TARGET_SECONDS else 1


def _inventory(trees: int):
    """The array, its pool and one allocation per tree (created once, in bulk)."""
    import datetime

    from django.contrib.auth import get_user_model

    from inventory.models import Allocation, ResearchProject, Site, StorageArray, StoragePool, Team

    site, _ = Site.objects.get_or_create(slug="bench-collect", defaults={"name": "Bench collect"})
    array, _ = StorageArray.objects.get_or_create(
        slug="bench-collect",
        defaults={
            "site": site, "name": "Bench collect", "vendor": "Huawei", "model": "OceanStor A800",
            "serial_number": "BENCH-COLLECT", "raw_bytes": 10**18, "usable_bytes": 10**18,
        },
    )  # fmt: skip
    pool, _ = StoragePool.objects.get_or_create(
        slug="bench-collect-a",
        defaults={"array": array, "name": "pool-a", "capacity_bytes": 10**18, "system_name": "pool-a",
                  "max_oversubscription": "10.00"},
    )  # fmt: skip
    have = Allocation.objects.filter(pool=pool).count()
    if have < trees:
        user, _ = get_user_model().objects.get_or_create(username="bench-collect")
        team, _ = Team.objects.get_or_create(slug="bench-collect", defaults={"name": "Bench collect"})
        projects = ResearchProject.objects.bulk_create(
            ResearchProject(code=f"BC{number:06d}", title=f"Bench {number}", team=team, principal_investigator=user,
                            start_date=datetime.date(2026, 1, 1))
            for number in range(have, trees)
        )  # fmt: skip
        Allocation.objects.bulk_create(
            Allocation(project=project, pool=pool, quota_bytes=10 * TB, status=Allocation.Status.ACTIVE,
                       quota_id=f"proj-{number}", start_date=datetime.date(2026, 1, 1))
            for number, project in zip(range(have, trees), projects, strict=True)
        )  # fmt: skip
    return array, pool


if __name__ == "__main__":
    sys.exit(main())
