from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    """Live collection from the storage arrays' REST APIs (OceanStor DeviceManager, Pacific)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "collection"
    verbose_name = _("Collection from the arrays")
