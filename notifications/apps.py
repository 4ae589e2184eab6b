from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the built-in event sources (notifications/sources.py) with the registry.
        from notifications import sources  # noqa: F401
