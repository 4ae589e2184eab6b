"""Model fields for capacities: integer bytes inside, human units in forms."""

from django.db import models


class BytesField(models.BigIntegerField):
    """A capacity in bytes (signed 64-bit in PostgreSQL; checks keep it ≥ 0).

    Stored and computed as an exact integer; only its form field speaks units,
    so every capacity in the admin reads and accepts "2 PB" or "1.5 TiB".
    """

    def formfield(self, **kwargs):
        from inventory.formfields import CapacityField

        defaults = {
            "form_class": CapacityField,
            "required": not self.blank,
            "label": self.verbose_name[:1].upper() + self.verbose_name[1:],
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        # BigIntegerField would add min/max validators meant for IntegerField widgets.
        for key in ("min_value", "max_value", "widget"):
            defaults.pop(key, None)
        # Capacities are never negative (the database checks it too); say so at the field.
        defaults["min_value"] = 0
        if not defaults.get("help_text"):
            defaults.pop("help_text", None)
        return form_class(**defaults)


class RunningTotalsField(models.Field):
    """A PostgreSQL ``bigint[]`` of running totals, written and read in SQL by the rollups (a Python list here).

    Plain SQL arrays: django.contrib.postgres's ArrayField would need that app installed for one column.
    """

    description = "Running totals (bigint[])"

    def db_type(self, connection):
        return "bigint[]"

    def rel_db_type(self, connection):
        return "bigint[]"
