"""The two admin roles (groups) and their permissions; every other active user is a researcher.

Migration 0002 creates them (0011 adds the permissions outside the inventory); `ensure_roles()`
puts them back where a database was emptied without migrating again (a test flush,
`seed_demo --reset` on a wiped database).
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db.models import Q

INFRASTRUCTURE_ADMINS = "Infrastructure admins"
ALLOCATION_MANAGERS = "Allocation managers"

#: Both roles pick people in admin forms (a project's investigator, a team member, who requested an
#: allocation): the user autocomplete asks for view permission on users. Viewing is all: only
#: superusers create users or change their rights.
PICK_USERS = ("auth", "view_user")
#: Apps besides the inventory whose every permission infrastructure admins hold (notifications: webhooks).
MANAGED_APPS = ("collection", "api", "notifications")
#: Infrastructure admins see failed logins and unlock people (delete the lockout's access attempts).
UNLOCK_LOGINS = (
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
)


def _permissions(permission_model, pairs):
    query = Q(pk__in=[])
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return permission_model.objects.filter(query)


def role_permissions(permission_model=Permission) -> dict[str, list]:
    """Each role's permissions (``permission_model`` lets a migration pass its historical model)."""
    inventory = permission_model.objects.filter(content_type__app_label="inventory")
    # Infrastructure admins also configure the collectors (collection) and manage API tokens and
    # single sign-on group mappings (api).
    infrastructure_apps = permission_model.objects.filter(content_type__app_label__in=["inventory", *MANAGED_APPS])
    infrastructure = [*infrastructure_apps, *_permissions(permission_model, [PICK_USERS, *UNLOCK_LOGINS])]
    # Both roles read requests and their history in the admin (approvals/); deciding is the queue's.
    requests = permission_model.objects.filter(content_type__app_label="approvals", codename__startswith="view_")
    infrastructure += list(requests)
    managers = [
        *(
            inventory.filter(codename__startswith="view_")
            | inventory.filter(codename__in=["change_allocation", "approve_allocation"])
        ),
        *_permissions(permission_model, [PICK_USERS]),
        *requests,
    ]
    return {INFRASTRUCTURE_ADMINS: infrastructure, ALLOCATION_MANAGERS: managers}


def ensure_roles() -> None:
    """Create the content types, permissions and the two role groups if any is missing."""
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    for name, permissions in role_permissions().items():
        Group.objects.get_or_create(name=name)[0].permissions.set(permissions)
