"""Import usage reports from storage systems: ``manage.py import_usage FILE [FILE ...] --format ...``.

Each file is atomic: one bad record and nothing from that file is written. Every problem goes to stderr as
``FILE: record N (its id): reason`` (``line N`` for text formats), then one summary line per file goes to
stdout. The exit status is 1 if any file had errors. docs/formats.md describes the formats.
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.importers import FORMATS
from inventory.moments import parse_moment
from inventory.services.usage_import import import_usage_file


def aware_moment(text: str) -> datetime.datetime:
    """--measured-at: ISO 8601 with a zone, converted to UTC."""
    try:
        return parse_moment(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Import usage reports (Open XDMoD JSON, Lustre lfs quota text, OceanStor DeviceManager FS_QUOTA, "
        "OceanStor Pacific fs_quota, CSV). Each file is all or nothing; re-importing a file adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="report files to import")
        parser.add_argument("--format", required=True, choices=list(FORMATS), help="the report format")
        parser.add_argument(
            "--pool",
            metavar="SLUG",
            help="the pool, for formats whose records do not name one (lfs, oceanstor, pacific)",
        )
        parser.add_argument(
            "--quota-trees",
            metavar="FILE",
            help="oceanstor: the QUOTATREE response, so that quotas are matched by quota tree name",
        )
        parser.add_argument(
            "--measured-at",
            type=aware_moment,
            metavar="ISO-8601",
            help="the moment of the report for formats that carry none (lfs, oceanstor, pacific); default now",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, **options):
        files = options["files"]
        fmt = options["format"]
        trees = options.get("quota_trees")
        if trees and not FORMATS[fmt].takes_quota_trees:
            raise CommandError(f"--quota-trees applies to --format oceanstor only, not {fmt}")
        if trees and not Path(trees).is_file():
            raise CommandError(f"{trees}: no such file (--quota-trees)")
        measured_at = options.get("measured_at")
        if isinstance(measured_at, str):  # call_command(measured_at="...") bypasses the argument parser
            try:
                measured_at = aware_moment(measured_at)
            except argparse.ArgumentTypeError as error:
                raise CommandError(f"--measured-at: {error}") from None
        tty = self.stderr.isatty()
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: no such file")
                failed += 1
                continue

            def progress(stage: str, name=name) -> None:
                if tty:
                    self.stderr.write(f"{name}: {stage}…")

            outcome = import_usage_file(
                path_or_file=path,
                file_name=name,
                format=fmt,
                pool_slug=options.get("pool"),
                quota_trees=Path(trees) if trees else None,
                measured_at=measured_at,
                dry_run=options["dry_run"],
                progress=progress,
            )
            for error in outcome.errors:
                self.stderr.write(f"{name}: {error}")
            for warning in outcome.warnings:
                prefix = f"{warning.position}: " if warning.position else ""
                self.stderr.write(f"{name}: {prefix}warning: {warning.message}")
            self.stdout.write(f"{name}: {outcome.summary()}")
            if not outcome.ok:
                failed += 1
        if failed:
            raise CommandError(
                f"{failed} of {len(files)} file{'s' if len(files) != 1 else ''} had errors; "
                "nothing was written from them",
                returncode=1,
            )
