from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """Researchers' requests for storage (new allocations, larger quotas, later end dates) and their decisions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "approvals"
    verbose_name = "Requests and approvals"
