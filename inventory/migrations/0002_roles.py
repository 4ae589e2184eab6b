"""The two admin roles. Every other active user is a researcher without admin access."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INFRASTRUCTURE_ADMINS = "Infrastructure admins"
ALLOCATION_MANAGERS = "Allocation managers"


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    inventory_perms = Permission.objects.filter(content_type__app_label="inventory")

    admins, _ = Group.objects.get_or_create(name=INFRASTRUCTURE_ADMINS)
    admins.permissions.set(inventory_perms)

    managers, _ = Group.objects.get_or_create(name=ALLOCATION_MANAGERS)
    managers.permissions.set(
        inventory_perms.filter(codename__startswith="view_")
        | inventory_perms.filter(codename__in=["change_allocation", "approve_allocation"])
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[INFRASTRUCTURE_ADMINS, ALLOCATION_MANAGERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
