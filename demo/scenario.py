"""Plan the demo in plain Python: people, teams, projects, allocations and their usage curves.

Nothing here touches the database, so the plan can be checked (capacity rules, forecasts) before it is
written. The scenario is made of `scale` identical-in-shape blocks, each with every team, ~40 projects and
~80 allocations drawn from one `random.Random(2026)`, so a given scale always yields the same data. Each
block's active quotas fit the pools' scale-1 allowances, so N blocks fit pools N times as large.

Usage is a straight line per allocation (a fraction of its quota at its first and last sample) plus a little
daily jitter. On the filling pool the lines are chosen so that the pool's total grows by `FILL_SLOPE` of its
capacity a day and stands at `FILL_LEVEL` today: full in (1 - 0.9) / 0.005 = 20 days.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass, field

from demo import catalogue
from inventory import figures

SEED = 2026
#: Daily samples, the last one today at 00:00 UTC.
DAYS = 90
FILL_LEVEL = 0.90
FILL_SLOPE = 0.005

PROJECTS_PER_BLOCK = 40
#: Extra projects go to the LLM-heavy teams, which drive the A800 story.
EXTRA_PROJECT_TEAMS = ["uio-ltg", "norwai", "nb-ailab", "ntnu-ail"]
ALLOCATIONS_PER_PROJECT = 2
#: Statuses other than active, per block of 80 allocations; the rest are active.
STATUS_COUNTS = {"expired": 10, "revoked": 3, "denied": 3, "requested": 6}
OVER_QUOTA_PER_BLOCK = 2
NEAR_QUOTA_PER_BLOCK = 4
SHRINKING_PER_BLOCK = 4
EXPIRING_SOON_PER_BLOCK = 4
DRIFTING_PER_BLOCK = 2


@dataclass(slots=True)
class PersonPlan:
    username: str
    first_name: str
    last_name: str
    email: str


@dataclass(slots=True)
class TeamPlan:
    slug: str
    name: str
    institution: str  # the slug of one of catalogue.INSTITUTIONS
    description: str
    members: list[tuple[str, str]] = field(default_factory=list)  # (username, role)


@dataclass(slots=True)
class ProjectPlan:
    code: str
    title: str
    team: str
    principal_investigator: str
    field_of_science: str
    status: str = "active"
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    description: str = ""


@dataclass(slots=True)
class UsagePlan:
    """A straight line from `start_fraction` to `end_fraction` of the quota over days `first_day..last_day`."""

    first_day: int
    last_day: int
    start_fraction: float
    end_fraction: float
    reduction: float
    file_size: int
    jitter: float = 0.002


@dataclass(slots=True)
class AllocationPlan:
    project: str
    pool: str
    status: str
    quota_bytes: int = 0
    quota_id: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    requested_by: str | None = None
    approved_by: str | None = None
    approved_at: datetime.datetime | None = None
    justification: str = ""
    enforced_quota_bytes: int | None = None
    usage: UsagePlan | None = None


@dataclass(slots=True)
class Scenario:
    today: datetime.date
    scale: int
    people: list[PersonPlan]
    teams: list[TeamPlan]
    projects: list[ProjectPlan]
    allocations: list[AllocationPlan]

    def sample_count(self) -> int:
        return sum(a.usage.last_day - a.usage.first_day + 1 for a in self.allocations if a.usage)


#: The demo logins (username = password) and what they are.
RESEARCHER = "researcher"
INFRA = "infra"
MANAGER = "manager"
RESEARCHER_TEAMS = ["uio-ltg", "norwai"]

POOLS = {pool["slug"]: pool for pool in catalogue.POOLS}


def nice_floor(value: float) -> int:
    """Round down to two significant digits (a quota of 137.4 TB becomes 130 TB): never more than `value`."""
    value = int(value)
    if value < 100:
        return max(value, 0)
    unit = 10 ** (len(str(value)) - 2)
    return value // unit * unit


def allowed_bytes(pool: dict) -> int:
    """What the planned pool may have allocated (inventory.figures.allowed_bytes)."""
    return figures.allowed_bytes(pool["capacity_bytes"], pool["max_oversubscription"])


def _ascii(text: str) -> str:
    text = text.lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class _Planner:
    def __init__(self, *, scale: int, today: datetime.date) -> None:
        self.rng = random.Random(SEED)
        self.scale = scale
        self.today = today
        self.window_start = today - datetime.timedelta(days=DAYS - 1)
        self.usernames: set[str] = {RESEARCHER, INFRA, MANAGER}
        self.people: list[PersonPlan] = []
        self.teams: list[TeamPlan] = []
        self.projects: list[ProjectPlan] = []
        self.allocations: list[AllocationPlan] = []
        self.lustre_ids = iter(range(10_001, 10_001 + scale * PROJECTS_PER_BLOCK * ALLOCATIONS_PER_PROJECT))
        span = range(1000, 10_000) if scale * PROJECTS_PER_BLOCK <= 8_000 else range(10_000, 100_000)
        self.codes = iter(self.rng.sample(span, scale * PROJECTS_PER_BLOCK))

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def day_index(self, day: datetime.date) -> int:
        return (day - self.window_start).days

    def person(self, domain: str) -> str:
        rng = self.rng
        first, last = rng.choice(catalogue.FIRST_NAMES), rng.choice(catalogue.LAST_NAMES)
        base = f"{_ascii(first)}.{_ascii(last)}"
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        self.people.append(PersonPlan(username, first, last, f"{username}@{domain}"))
        return username

    def plan(self) -> Scenario:
        for block in range(self.scale):
            self.plan_block(block)
        return Scenario(self.today, self.scale, self.people, self.teams, self.projects, self.allocations)

    def plan_block(self, block: int) -> None:
        rng = self.rng
        suffix = "" if block == 0 else f" ({block + 1})"
        slug_suffix = "" if block == 0 else f"-{block + 1}"
        teams: dict[str, TeamPlan] = {}
        institution_names = {i_slug: i_name for i_slug, i_name, _ in catalogue.INSTITUTIONS}
        for slug, name, institution, pools, fields in catalogue.TEAMS:
            domain = catalogue.INSTITUTION_DOMAINS[slug]
            team = TeamPlan(
                slug + slug_suffix,
                name + suffix,
                institution,
                f"{name} at {institution_names[institution]}: {', '.join(fields).lower()}. "
                f"Works mainly on {', '.join(pools)}.",
            )
            for _ in range(rng.randint(1, 2)):
                team.members.append((self.person(domain), "manager"))
            for _ in range(rng.randint(3, 6)):
                team.members.append((self.person(domain), "member"))
            if block == 0 and slug in RESEARCHER_TEAMS:
                team.members.append((RESEARCHER, "member"))
            teams[slug] = team
            self.teams.append(team)

        team_of_project = [slug for slug, *_ in catalogue.TEAMS for _ in range(3)] + EXTRA_PROJECT_TEAMS
        team_of_project += [rng.choice(EXTRA_PROJECT_TEAMS) for _ in range(PROJECTS_PER_BLOCK - len(team_of_project))]
        catalogue_teams = {slug: (pools, fields) for slug, _, _, pools, fields in catalogue.TEAMS}
        block_projects: list[ProjectPlan] = []
        pairs: list[AllocationPlan] = []
        for index, team_slug in enumerate(team_of_project):
            preferred, fields = catalogue_teams[team_slug]
            team = teams[team_slug]
            field_of_science = rng.choice(fields)
            titles = catalogue.TITLES[field_of_science]
            pi = RESEARCHER if block == 0 and index == 0 else rng.choice(team.members)[0]
            project = ProjectPlan(
                code=f"NN{next(self.codes)}K",
                title=titles[(index + block) % len(titles)] + suffix,
                team=team.slug,
                principal_investigator=pi,
                field_of_science=field_of_science,
            )
            block_projects.append(project)
            others = [slug for slug in POOLS if slug not in preferred]
            choices = list(preferred) + rng.sample(others, len(others))
            first = choices[0] if rng.random() < 0.7 else rng.choice(choices[:2])
            second = rng.choice([slug for slug in choices[:3] if slug != first])
            for pool in (first, second):
                pairs.append(AllocationPlan(project=project.code, pool=pool, status="active"))
        self.assign_statuses(pairs)
        managers = {t.slug: [u for u, role in t.members if role == "manager"] for t in teams.values()}
        project_by_code = {p.code: p for p in block_projects}
        for allocation in pairs:
            project = project_by_code[allocation.project]
            allocation.requested_by = rng.choice([project.principal_investigator, *managers[project.team]])
        self.size_quotas(pairs)
        self.date_and_describe(pairs)
        self.plan_usage(pairs)
        self.date_projects(block_projects, pairs)
        self.projects.extend(block_projects)
        self.allocations.extend(pairs)

    def assign_statuses(self, pairs: list[AllocationPlan]) -> None:
        """Expired ones never on the filling pool (its total must be the active ones' clean line)."""
        order = self.rng.sample(range(len(pairs)), len(pairs))
        taken: set[int] = set()
        for status, count in STATUS_COUNTS.items():
            eligible = [i for i in order if i not in taken]
            if status == "expired":
                eligible = [i for i in eligible if pairs[i].pool != catalogue.FILLING_POOL]
            for i in eligible[:count]:
                pairs[i].status = status
                taken.add(i)

    def size_quotas(self, pairs: list[AllocationPlan]) -> None:
        """Active quotas share each pool's target allocation; the rounding only ever goes down, so they fit."""
        rng = self.rng
        for slug, pool in POOLS.items():
            allowed = allowed_bytes(pool)
            active = [a for a in pairs if a.pool == slug and a.status == "active"]
            weights = [rng.lognormvariate(0, 0.8) for _ in active]
            total = sum(weights)
            for allocation, weight in zip(active, weights, strict=True):
                allocation.quota_bytes = nice_floor(pool["allocated"] * allowed * weight / total)
            for allocation in pairs:
                if allocation.pool == slug and allocation.status != "active":
                    allocation.quota_bytes = nice_floor(allowed * 0.06 * rng.lognormvariate(0, 0.6))
            assert sum(a.quota_bytes for a in active) <= allowed, slug

    def date_and_describe(self, pairs: list[AllocationPlan]) -> None:
        rng = self.rng
        active_days = {"a800-llm-train": (60, 110), "a800-datasets": (60, 110), catalogue.FILLING_POOL: (95, 900)}
        for allocation in pairs:
            pool = POOLS[allocation.pool]
            allocation.justification = rng.choice(catalogue.JUSTIFICATIONS).format(
                params=rng.choice([1, 3, 7, 13, 34, 70]),
                tokens=rng.choice([40, 120, 300, 1_000]),
                experiments=rng.choice([20, 50, 120, 400]),
            )
            if allocation.status in ("active", "expired", "revoked"):
                if pool["quota_path"] is None:
                    allocation.quota_id = str(next(self.lustre_ids))
                else:
                    allocation.quota_id = pool["quota_path"] + allocation.project.lower()
            if allocation.status == "active":
                low, high = active_days.get(allocation.pool, (20, 900))
                allocation.start_date = self.days_ago(low, high)
                allocation.end_date = self.today + datetime.timedelta(days=rng.randint(200, 900))
            elif allocation.status == "expired":
                allocation.start_date = self.days_ago(400, 1000)
                allocation.end_date = self.days_ago(3, 80)
            elif allocation.status == "revoked":
                allocation.start_date = self.days_ago(100, 600)
                allocation.end_date = self.days_ago(1, 60)
                allocation.justification += " Revoked: the project moved its data to the A800."
            elif allocation.status == "requested":
                allocation.start_date = self.today + datetime.timedelta(days=rng.randint(0, 30))
                allocation.end_date = allocation.start_date + datetime.timedelta(days=365)
            else:  # denied
                allocation.start_date = self.days_ago(10, 120)
                allocation.justification += " " + rng.choice(catalogue.DENIAL_NOTES)
            if allocation.status in ("active", "expired", "revoked"):
                approved_on = allocation.start_date - datetime.timedelta(days=rng.randint(1, 10))
                allocation.approved_by = MANAGER if rng.random() < 0.8 else INFRA
                allocation.approved_at = datetime.datetime.combine(
                    approved_on, datetime.time(rng.randint(8, 15), rng.randint(0, 59)), tzinfo=datetime.UTC
                )
        active = [a for a in pairs if a.status == "active"]
        for allocation in self.rng.sample(active, min(EXPIRING_SOON_PER_BLOCK, len(active))):
            allocation.end_date = self.today + datetime.timedelta(days=rng.randint(3, 30))
        for allocation in active:
            allocation.enforced_quota_bytes = allocation.quota_bytes
        for allocation in self.rng.sample(active, min(DRIFTING_PER_BLOCK, len(active))):
            # Someone raised the hard limit on the array by hand, or a shrink never reached it.
            factor = rng.choice([1.25, 1.5, 0.8])
            allocation.enforced_quota_bytes = nice_floor(allocation.quota_bytes * factor)

    def plan_usage(self, pairs: list[AllocationPlan]) -> None:
        rng = self.rng
        filling = [a for a in pairs if a.status == "active" and a.pool == catalogue.FILLING_POOL]
        others = [a for a in pairs if a.status == "active" and a.pool != catalogue.FILLING_POOL]
        rng.shuffle(others)
        profiles = (
            ["over"] * OVER_QUOTA_PER_BLOCK + ["near"] * NEAR_QUOTA_PER_BLOCK + ["shrinking"] * SHRINKING_PER_BLOCK
        )
        for index, allocation in enumerate(others):
            profile = profiles[index] if index < len(profiles) else "steady"
            first_day = max(0, self.day_index(allocation.start_date))
            if profile == "over":
                end = rng.uniform(1.02, 1.12)
                start = end - rng.uniform(0.05, 0.2)
            elif profile == "near":
                end = rng.uniform(0.81, 0.89)
                start = end - rng.uniform(0.05, 0.2)
            elif profile == "shrinking":
                start = rng.uniform(0.4, 0.7)
                end = start - rng.uniform(0.05, 0.15)
            else:
                end = rng.uniform(0.2, 0.72)
                start = end - rng.uniform(0.01, 0.12)
            if first_day > 0 and profile != "shrinking":
                start = rng.uniform(0.0, 0.05)  # a new allocation, filling from (nearly) empty
            allocation.usage = self.usage(allocation, first_day, DAYS - 1, start, end)

        # The filling pool: shares of a total that rises by FILL_SLOPE of capacity a day to FILL_LEVEL today.
        capacity = POOLS[catalogue.FILLING_POOL]["capacity_bytes"]
        weights = [a.quota_bytes * rng.uniform(0.5, 1.3) for a in filling]
        total = sum(weights)
        for allocation, weight in zip(filling, weights, strict=True):
            share = weight / total * capacity / allocation.quota_bytes
            start = share * (FILL_LEVEL - FILL_SLOPE * (DAYS - 1))
            allocation.usage = self.usage(allocation, 0, DAYS - 1, start, share * FILL_LEVEL, jitter=0.001)

        for allocation in pairs:
            if allocation.status == "expired":
                start = rng.uniform(0.3, 0.8)
                last_day = self.day_index(allocation.end_date)
                allocation.usage = self.usage(allocation, 0, last_day, start, start * rng.uniform(0.3, 1.0))

    def usage(self, allocation, first_day, last_day, start, end, jitter=0.002) -> UsagePlan:
        pool = POOLS[allocation.pool]
        return UsagePlan(
            first_day=first_day,
            last_day=last_day,
            start_fraction=max(start, 0.0),
            end_fraction=max(end, 0.0),
            reduction=self.rng.uniform(*pool["reduction"]),
            file_size=self.rng.randint(*pool["file_size"]),
            jitter=jitter,
        )

    def date_projects(self, projects: list[ProjectPlan], pairs: list[AllocationPlan]) -> None:
        rng = self.rng
        by_project: dict[str, list[AllocationPlan]] = {}
        for allocation in pairs:
            by_project.setdefault(allocation.project, []).append(allocation)
        for project in projects:
            allocations = by_project[project.code]
            statuses = {a.status for a in allocations}
            project.start_date = min(a.start_date for a in allocations) - datetime.timedelta(days=rng.randint(0, 60))
            ends = [a.end_date for a in allocations if a.end_date]
            if "active" in statuses:
                project.status = "active"
                project.end_date = max([*ends, self.today + datetime.timedelta(days=180)])
            elif "requested" in statuses:
                project.status = "proposed"
                project.end_date = max(ends, default=project.start_date + datetime.timedelta(days=1095))
            elif statuses & {"expired", "revoked"}:
                project.status = "completed"
                project.end_date = max(ends)
            else:
                project.status = "proposed"
                project.end_date = None
            project.description = (
                f"{project.title}. {project.field_of_science}; "
                f"storage on {', '.join(sorted({a.pool for a in allocations}))}."
            )


def plan(*, scale: int = 1, today: datetime.date) -> Scenario:
    """The whole demo for `scale` blocks, relative to `today` (the date of the last usage sample)."""
    return _Planner(scale=scale, today=today).plan()


def sample_rows(allocation: AllocationPlan, allocation_id: int, moments: list[datetime.datetime], rng: random.Random):
    """Yield (allocation_id, measured_at, used, physical used, files, source) rows, one per day, for COPY."""
    usage = allocation.usage
    quota = allocation.quota_bytes
    span = max(usage.last_day - usage.first_day, 1)
    step = (usage.end_fraction - usage.start_fraction) / span
    jitter = usage.jitter
    random_ = rng.random
    for day in range(usage.first_day, usage.last_day + 1):
        fraction = usage.start_fraction + step * (day - usage.first_day)
        used = int(quota * fraction * (1 + jitter * (2 * random_() - 1)))
        if used < 0:
            used = 0
        yield (allocation_id, moments[day], used, int(used / usage.reduction), used // usage.file_size, "demo")
