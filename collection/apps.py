from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """Live collection from the storage arrays' REST APIs (OceanStor DeviceManager, Pacific)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "collection"
    verbose_name = "Collection from the arrays"
