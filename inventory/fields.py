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
    """A PostgreSQL array of running totals, written and read in SQL by the rollups (a Python list here).

    ``element`` is the SQL type of its elements: ``numeric`` where a total of bytes over a month can pass
    the 64-bit range (a single value may be up to 2^63 − 1), ``bigint`` for counts. Plain SQL arrays:
    django.contrib.postgres's ArrayField would need that app installed for two columns.
    """

    description = "Running totals (an SQL array)"

    def __init__(self, *args, element: str = "bigint", **kwargs):
        if element not in ("bigint", "numeric"):
            raise ValueError(f"element must be bigint or numeric, not {element!r}")
        self.element = element
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.element != "bigint":
            kwargs["element"] = self.element
        return name, path, args, kwargs

    def db_type(self, connection):
        return f"{self.element}[]"

    def rel_db_type(self, connection):
        return self.db_type(connection)
