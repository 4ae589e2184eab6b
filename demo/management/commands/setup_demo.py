"""First-run setup for `make run`: a demo superuser and the demo data, once."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "On the first run only: create the demo logins and load the demo data (seed_demo)."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Demo data already loaded; leaving the database as it is.")
            return
        User.objects.create_superuser("admin", "admin@example.org", "admin", first_name="Demo", last_name="Admin")
        self.stdout.write("Created the demo superuser admin / admin.")
        call_command("seed_demo", stdout=self.stdout, stderr=self.stderr)
