"""The two admin roles (groups) and their permissions; every other active user is a researcher.

Migration 0002 creates them; `ensure_roles()` puts them back where a database was emptied
without migrating again (a test flush, `seed_demo --reset` on a wiped database).
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes

INFRASTRUCTURE_ADMINS = "Infrastructure admins"
ALLOCATION_MANAGERS = "Allocation managers"


def ensure_roles() -> None:
    """Create the content types, permissions and the two role groups if any is missing."""
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    inventory_permissions = Permission.objects.filter(content_type__app_label="inventory")
    # Infrastructure admins also configure the collectors (the collection app).
    Group.objects.get_or_create(name=INFRASTRUCTURE_ADMINS)[0].permissions.set(
        Permission.objects.filter(content_type__app_label__in=["inventory", "collection"])
    )
    Group.objects.get_or_create(name=ALLOCATION_MANAGERS)[0].permissions.set(
        inventory_permissions.filter(codename__startswith="view_")
        | inventory_permissions.filter(codename__in=["change_allocation", "approve_allocation"])
    )
