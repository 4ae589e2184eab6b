"""Load the demo scenario: an invented Norwegian research infrastructure with 90 days of usage."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import loader


class Command(BaseCommand):
    help = (
        "Load a believable demo scenario (2 sites, 3 arrays, 5 pools, 12 teams, 40 projects, 80 allocations, "
        "90 days of daily usage ending today). Does nothing if the demo is already loaded, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply teams, projects, allocations and samples (and pool capacities) by N, for benchmarks.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete all inventory data first (TRUNCATE), then load.",
        )

    def handle(self, *args, scale, reset, verbosity, **options):
        if scale < 1:
            raise CommandError("--scale must be a whole number of at least 1.")
        if reset:
            started = time.monotonic()
            loader.reset()
            self.say(verbosity, f"Deleted the inventory data ({time.monotonic() - started:.1f} s).")
        elif loader.demo_present():
            self.say(verbosity, "Demo data already present; use --reset to load it again.")
            return

        def report(phase, count, noun, elapsed):
            self.say(verbosity, f"{phase}: {count:,} {noun} ({elapsed:.1f} s)")

        today = timezone.now().date()
        totals = loader.Loader(scale=scale, today=today, report=report).load()
        self.say(
            verbosity,
            self.style.SUCCESS(
                f"Loaded the demo at scale {scale}: {totals['allocations']:,} allocations, "
                f"{totals['samples']:,} usage samples up to {today} 00:00 UTC."
            ),
        )

    def say(self, verbosity: int, message: str) -> None:
        if verbosity >= 1:
            self.stdout.write(message)
