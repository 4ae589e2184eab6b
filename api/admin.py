"""API tokens in the admin: everyone's, for revoking (secrets are never stored, so never shown)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiToken, OidcGroupMapping, OidcIdentity
from api.tokens import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ("revoke_selected",)

    def has_add_permission(self, request):
        # Tokens are created by their owners on /api/tokens/, where the secret is shown once.
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token=token)
            count += 1
        messages.success(
            request, ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count) % {"count": count}
        )


@admin.register(OidcGroupMapping)
class OidcGroupMappingAdmin(admin.ModelAdmin):
    """Which provider group puts people in which team: membership follows it at every sign-in."""

    list_display = ("group", "team", "role")
    list_filter = ("role",)
    list_select_related = ("team",)
    search_fields = ("group", "team__name", "team__slug")
    autocomplete_fields = ("team",)


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Who signed in through the provider, as whom, and with which groups last time (read-only)."""

    list_display = ("user", "subject", "issuer", "last_login_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "issuer", "subject", "created_at", "last_login_at", "groups")

    def has_add_permission(self, request):
        return False
