"""Form fields for capacities: people type "2 PB" or "1.5 TiB", the model stores integer bytes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.units import (
    MAX_CAPACITY,
    CapacityError,
    format_bytes_exact,
    format_capacity_exact,
    parse_capacity,
)

CAPACITY_HELP_TEXT = _("Bytes, or a number with a unit: 2 PB, 1.5 TiB, 750 GB.")


class CapacityField(forms.Field):
    """A capacity in bytes, typed as text with a unit (anything :func:`parse_capacity` accepts).

    The current value is shown in decimal units (binary with ``binary=True``), and always as text that
    reads back to the very same byte count ("1.234567891011 TB" rather than "1.23 TB"), so saving an
    unchanged form never changes what is stored.

    ``min_value``/``max_value`` are byte counts; Django's BigIntegerField passes both when this class is
    used through ``formfield_overrides``, so they are accepted here.
    """

    widget = forms.TextInput
    default_error_messages = {
        "min_value": _("Must be at least %(limit)s."),
        "max_value": _("Must be at most %(limit)s."),
    }

    def __init__(
        self,
        *,
        min_value: int | None = None,
        max_value: int | None = None,
        binary: bool = False,
        **kwargs,
    ) -> None:
        kwargs.setdefault("help_text", CAPACITY_HELP_TEXT)
        # Model-field machinery may hand over arguments meant for IntegerField; they do not apply to text.
        kwargs.pop("step_size", None)
        self.min_value = min_value
        self.max_value = max_value
        self.binary = binary
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Capacities are not words: stop browsers from "correcting" "750 GB".
        attrs.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"})
        return attrs

    def prepare_value(self, value):
        # Bound forms re-show what the person typed (a str); initial values are byte counts.
        if isinstance(value, int) and not isinstance(value, bool):
            return format_capacity_exact(value, binary=self.binary)
        return value

    def to_python(self, value) -> int | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_capacity(value)
        except CapacityError as error:
            raise ValidationError(str(error), code="invalid") from error

    def validate(self, value) -> None:
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit": _describe(self.min_value)},
            )
        if self.max_value is not None and value > min(self.max_value, MAX_CAPACITY):
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": _describe(self.max_value)},
            )

    def has_changed(self, initial, data) -> bool:
        # Compare byte counts, so "2 PB" against a stored 2_000_000_000_000_000 is no change.
        if self.disabled:
            return False
        try:
            data_value = self.to_python(data)
        except ValidationError:
            return True
        return initial != data_value


def _describe(num_bytes: int) -> str:
    """A limit in both forms, e.g. "1.00 TB (1,000,000,000,000 bytes)"; small ones just in bytes."""
    if num_bytes < 1000:
        return format_bytes_exact(num_bytes)
    return f"{format_capacity_exact(num_bytes)} ({num_bytes:,} bytes)"
