"""Thin usage samples older than the retention to one per allocation and day (the worker runs it daily)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from collection.services.retention import thin_samples


class Command(BaseCommand):
    help = "Delete raw usage samples older than the retention, keeping each allocation's last sample of each day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="retention in days (default COLLECTION_SAMPLE_RETENTION_DAYS)"
        )

    def handle(self, *args, **options):
        days = options["days"] or settings.COLLECTION_SAMPLE_RETENTION_DAYS
        if days < 1:
            self.stderr.write("--days must be at least 1")
            raise SystemExit(1)
        deleted = thin_samples(retention_days=days)
        self.stdout.write(
            f"deleted {deleted} samples older than {days} days (kept the last of each allocation and day)"
        )
