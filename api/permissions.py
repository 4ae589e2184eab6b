"""Who may do what through the API: the roles of inventory.roles, as Django model permissions.

Researchers (every signed-in user) read; writes need the model permission the admin asks for
(allocation managers change allocations, infrastructure admins the inventory). A read-only token
never writes, whatever its owner may do.
"""

from __future__ import annotations

from rest_framework import permissions

from api.models import ApiToken


class ModelPermissions(permissions.DjangoModelPermissions):
    """Reads for any signed-in user; writes need add/change/delete on the view's model.

    Views without a queryset (reports, exports) state their own permission; here they only need a user.
    """

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return True
        return super().has_permission(request, view)


class ViewModelPermissions(ModelPermissions):
    """Reads need the view permission too (audit records such as the list of imports)."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
    perms_map["HEAD"] = perms_map["GET"]


class TokenScope(permissions.BasePermission):
    """A read-only token may only read."""

    message = "This API token is read-only: create a read-write token to change anything."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.can_write


class HasPermission(permissions.BasePermission):
    """The user holds one named permission (``required_permission`` on the view)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(view.required_permission))
