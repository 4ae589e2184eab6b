"""API tokens in the admin: everyone's, for revoking (secrets are never stored, so never shown)."""

from django.contrib import admin, messages

from api.models import ApiToken
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

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token=token)
            count += 1
        messages.success(request, f"Revoked {count} token{'s' if count != 1 else ''}.")
