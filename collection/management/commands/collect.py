"""Collect from one array now: ``manage.py collect SLUG [--dry-run]``, or try settings before saving them.

    manage.py collect --kind {oceanstor,pacific} --url URL --username USER --password-file FILE \\
        --array SLUG [--ca-bundle FILE | --insecure] [--dry-run]

Exit status 0 on success, 1 with the reasons on stderr otherwise; progress goes to a terminal's stderr.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from collection.clients import CLIENTS, CollectionError
from collection.models import CollectionRun, Collector
from collection.services import targets
from collection.services.run import collect
from inventory.models import StorageArray
from inventory.units import format_capacity


class Command(BaseCommand):
    help = "Collect capacity and quota usage from one array over its REST API (see docs/collection.md)."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", metavar="SLUG", help="the array whose saved collector to run")
        parser.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
        trial = parser.add_argument_group("trying a system before saving it")
        trial.add_argument("--kind", choices=list(CLIENTS))
        trial.add_argument("--url", help="base URL, e.g. https://array1.example.org:8088")
        trial.add_argument("--username")
        trial.add_argument("--password-file", metavar="FILE")
        trial.add_argument("--array", metavar="SLUG", help="the inventory's array this system is")
        tls = trial.add_mutually_exclusive_group()
        tls.add_argument("--ca-bundle", metavar="FILE", help="PEM file of the CA that signed the array's certificate")
        tls.add_argument("--insecure", action="store_true", help="do not verify the TLS certificate (test arrays only)")

    def handle(self, *args, **options):
        target = self._target(options)
        if target.connection.verify is False:
            self.stderr.write(f"warning: TLS verification of {target.connection.base_url} is off")
        tty = self.stderr.isatty()
        progress = (lambda message: self.stderr.write(f"{target.array.slug}: {message}")) if tty else None
        run, applied = collect(target=target, dry_run=options["dry_run"], progress=progress)
        for error in applied.errors:
            self.stderr.write(error)
        for warning in applied.warnings:
            self.stderr.write(f"warning: {warning}")
        for item in applied.reconciliation:
            self.stdout.write(f"reconciliation: {item.get_kind_display()}: {_describe(item)}")
        for observation in applied.observations:
            name = observation.pool.slug if observation.pool else f"system {target.array.slug}"
            self.stdout.write(
                f"observed {name}: usable {format_capacity(observation.total_bytes)}, "
                f"used {format_capacity(observation.used_bytes)}, free {format_capacity(observation.free_bytes)}"
            )
        self.stdout.write(_summary(run))
        if run.outcome == CollectionRun.Outcome.FAILED:
            sys.exit(1)

    def _target(self, options) -> targets.Target:
        trial = [options.get(name) for name in ("kind", "url", "username", "password_file", "array")]
        if options.get("slug"):
            if any(trial):
                raise CommandError("give either SLUG (a saved collector) or the trial options, not both")
            collector = Collector.objects.select_related("array").filter(array__slug=options["slug"]).first()
            if collector is None:
                raise CommandError(f"no collector is configured for array {options['slug']!r} (see the admin)")
            try:
                return targets.from_collector(collector)
            except CollectionError as error:
                raise CommandError(f"{options['slug']}: {error}") from None
        missing = [f"--{name.replace('_', '-')}" for name, value in zip(
            ("kind", "url", "username", "password_file", "array"), trial, strict=True) if not value]  # fmt: skip
        if missing:
            raise CommandError(
                f"give SLUG, or all of --kind --url --username --password-file --array (missing: {' '.join(missing)})"
            )
        array = StorageArray.objects.filter(slug=options["array"]).first()
        if array is None:
            raise CommandError(f"unknown array {options['array']!r} (--array): no storage array has this slug")
        try:
            password = targets.read_password(file_path=options["password_file"])
            verify = targets.verification(ca_bundle=options.get("ca_bundle") or "", verify=not options["insecure"])
        except CollectionError as error:
            raise CommandError(str(error)) from None
        connection = targets.connection(
            base_url=options["url"], username=options["username"], password=password, verify=verify
        )
        return targets.Target(kind=options["kind"], array=array, connection=connection)


def _describe(item) -> str:
    parts = [item.name_on_system or "", f"(id {item.id_on_system})" if item.id_on_system else ""]
    if item.promised_bytes is not None:
        parts.append(f"promised {format_capacity(item.promised_bytes)}")
    if item.reported_bytes is not None:
        parts.append(f"array {format_capacity(item.reported_bytes)}")
    parts.append(item.detail)
    return " ".join(part for part in parts if part)


def _summary(run: CollectionRun) -> str:
    return (
        f"{run.array.slug}: {run.get_outcome_display()}: {run.quota_trees} quota trees, {run.pools_observed} pools; "
        f"{'would add' if run.outcome == CollectionRun.Outcome.DRY_RUN else 'added'} {run.samples_added} samples, "
        f"skipped {run.samples_skipped} already present, {run.unmatched} reconciliation items, "
        f"{len(run.errors)} errors"
    )
