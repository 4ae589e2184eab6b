"""Infrastructure admins configure collectors: give their group the collection app's permissions."""

from django.db import migrations


def grant(apps, schema_editor):
    from inventory.roles import ensure_roles

    ensure_roles()


class Migration(migrations.Migration):
    dependencies = [("collection", "0001_initial"), ("inventory", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
