"""manage.py notify: one notification pass now (what the worker runs every five minutes)."""

from django.core.management.base import BaseCommand

from notifications.passes import run_pass


class Command(BaseCommand):
    help = "Evaluate every notification rule and send what is due (--digest: the daily digests too)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would fire; store and send nothing.")
        parser.add_argument("--digest", action="store_true", help="Also send the daily digests now.")

    def handle(self, *args, dry_run=False, digest=False, **options):
        result = run_pass(digest=digest, dry_run=dry_run)
        for event in result.events:
            self.stdout.write(f"{event.kind}: {event.title}")
        prefix = "dry run, nothing stored or sent: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{len(result.events)} events, {result.deliveries} deliveries; "
            f"sent {result.sent.sent}, retrying {result.sent.retrying}, failed {result.sent.failed}"
        )
