"""Both admin roles may read requests and their history in the admin (inventory/roles.py says the same)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("Infrastructure admins", "Allocation managers")


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    app_config = apps.get_app_config("approvals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    views = Permission.objects.filter(content_type__app_label="approvals", codename__startswith="view_")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*views)


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("inventory", "0011_hardening_role_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
