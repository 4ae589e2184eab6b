from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    """Researchers' requests for storage (new allocations, larger quotas, later end dates) and their decisions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "approvals"
    verbose_name = _("Requests and approvals")

    def ready(self) -> None:
        from django.apps import apps

        # Change requests are notification events when the notifications app is there (approvals/events.py).
        if apps.is_installed("notifications"):
            from approvals import events  # noqa: F401
