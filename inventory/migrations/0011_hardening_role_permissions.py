"""Both roles may pick users in admin forms (view users); infrastructure admins may unlock logins (django-axes)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

INFRASTRUCTURE_ADMINS = "Infrastructure admins"
ALLOCATION_MANAGERS = "Allocation managers"
PICK_USERS = [("auth", "view_user")]
UNLOCK_LOGINS = [("axes", "view_accessattempt"), ("axes", "delete_accessattempt"), ("axes", "view_accessfailurelog")]


def _permissions(Permission, pairs):
    query = Q(pk__in=[])
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=INFRASTRUCTURE_ADMINS):
        group.permissions.add(*_permissions(Permission, PICK_USERS + UNLOCK_LOGINS))
    for group in Group.objects.filter(name=ALLOCATION_MANAGERS):
        group.permissions.add(*_permissions(Permission, PICK_USERS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=[INFRASTRUCTURE_ADMINS, ALLOCATION_MANAGERS]):
        group.permissions.remove(*_permissions(Permission, PICK_USERS + UNLOCK_LOGINS))


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0009_one_definition_of_figures"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
