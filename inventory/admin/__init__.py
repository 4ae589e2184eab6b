"""The Django admin of the inventory: where infrastructure admins edit everything.

One module per group of models; ``imports`` (the usage-import upload page) is
maintained separately and loaded here when present.
"""

import importlib.util

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inventory.admin import allocations, institutions, projects, storage, usage  # noqa: F401

admin.site.site_header = _("Capacity administration")
admin.site.site_title = "Capacity"
admin.site.index_title = _("Inventory")
admin.site.site_url = "/"

if importlib.util.find_spec("inventory.admin.imports") is not None:
    from inventory.admin import imports  # noqa: F401
