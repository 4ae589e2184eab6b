"""Admin: infrastructure admins configure webhooks and follow events and deliveries (retrying failed ones)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inventory.admin.base import ReadOnlyMixin
from notifications.models import Delivery, Event, SubjectState, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "flavour", "team", "pool", "enabled")
    list_filter = ("flavour", "enabled")
    search_fields = ("name", "url", "team__name", "pool__name")
    autocomplete_fields = ("team", "pool")
    fields = ("name", "flavour", "url", "secret", "team", "pool", "enabled")


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Records of what happened: written by the notification pass only."""


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("channel", "recipient", "digest", "status", "attempts", "last_error", "sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("title",)
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "channel", "recipient", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "digest")
    search_fields = ("recipient", "event__title")
    list_select_related = ("event",)
    actions = ["retry"]

    @admin.action(description=_("Retry the selected deliveries at the next pass"), permissions=["retry"])
    def retry(self, request, queryset):
        count = queryset.exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent at the next pass.",
                "%(count)d deliveries will be sent at the next pass.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.delete_delivery")


@admin.register(SubjectState)
class SubjectStateAdmin(ReadOnlyAdmin):
    list_display = ("source", "subject_id", "level", "changed_at")
    ordering = ("source", "subject_id")
    list_filter = ("source",)
