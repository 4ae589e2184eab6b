"""Infrastructure admins configure webhooks and follow deliveries: give their group this app's permissions."""

from django.db import migrations


def grant(apps, schema_editor):
    from inventory.roles import ensure_roles

    ensure_roles()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("inventory", "0011_hardening_role_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
