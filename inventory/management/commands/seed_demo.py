"""Load the demo scenario (filled in by the inventory issue)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load a believable demo scenario."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)

    def handle(self, *args, **options):
        self.stdout.write("No demo data yet.")
