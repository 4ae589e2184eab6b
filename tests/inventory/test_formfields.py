"""CapacityField: text with units in, integer bytes out, unchanged forms keep the stored value."""

import pytest
from django import forms
from django.db import models

from inventory.formfields import CAPACITY_HELP_TEXT, CapacityField
from inventory.units import MAX_CAPACITY

PB = 10**15


class PoolForm(forms.Form):
    usable = CapacityField()
    hard_limit = CapacityField(required=False, min_value=1)
    binary_quota = CapacityField(required=False, binary=True)


def test_valid_text_becomes_bytes():
    form = PoolForm(data={"usable": "2 PB", "hard_limit": "1.5 TiB", "binary_quota": "750GB"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "usable": 2 * PB,
        "hard_limit": 3 * 2**39,
        "binary_quota": 750 * 10**9,
    }


def test_plain_byte_count_and_empty_optional_field():
    form = PoolForm(data={"usable": "1234", "hard_limit": "", "binary_quota": "   "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"usable": 1234, "hard_limit": None, "binary_quota": None}


def test_invalid_text_gets_the_parse_message_next_to_the_field():
    form = PoolForm(data={"usable": "12 XB"})
    assert not form.is_valid()
    assert form.errors["usable"] == [
        'Cannot read "12 XB" as a capacity: unknown unit "XB". Use a number with one of B, kB, MB, GB, '
        'TB, PB, EB, KiB, MiB, GiB, TiB, PiB, EiB (for example "2 PB" or "1.5 TiB").'
    ]
    assert form.has_error("usable", code="invalid")
    assert "usable" in form.errors and "__all__" not in form.errors


def test_required_and_min_value():
    form = PoolForm(data={"usable": "", "hard_limit": "0 TB"})
    assert not form.is_valid()
    assert form.has_error("usable", code="required")
    assert form.errors["hard_limit"] == ["Must be at least 1 byte."]


def test_max_value_message_shows_units_and_bytes():
    field = CapacityField(max_value=2 * PB)
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("2.1 PB")
    assert caught.value.messages == ["Must be at most 2.00 PB (2,000,000,000,000,000 bytes)."]
    assert field.clean("2 PB") == 2 * PB


def test_help_text_default_and_override():
    assert PoolForm().fields["usable"].help_text == CAPACITY_HELP_TEXT
    assert CAPACITY_HELP_TEXT == "Bytes, or a number with a unit: 2 PB, 1.5 TiB, 750 GB."
    assert CapacityField(help_text="Quota").help_text == "Quota"


def test_renders_a_text_input_with_the_value_in_units():
    form = PoolForm(initial={"usable": 2 * PB, "binary_quota": 2**40})
    html = form.as_p()
    assert 'type="text" name="usable" value="2.00 PB"' in html
    assert 'name="binary_quota" value="1.00 TiB"' in html
    assert 'spellcheck="false"' in html


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (1_234_567_891_011, "1.234567891011 TB"),
        (999_999_999_999, "999.999999999 GB"),
        (2 * PB, "2.00 PB"),
        (2 * PB + 1, "2.000000000000001 PB"),
        (1_500_000_000_000, "1.50 TB"),
        (7, "7 B"),
        (0, "0 B"),
        (MAX_CAPACITY, "9.223372036854775807 EB"),
    ],
)
def test_unchanged_form_keeps_the_exact_stored_value(stored, shown):
    initial = {"usable": stored, "binary_quota": stored}
    shown_values = {name: PoolForm(initial=initial)[name].value() for name in initial}
    rendered = {name: PoolForm.base_fields[name].prepare_value(v) for name, v in shown_values.items()}
    assert rendered["usable"] == shown
    # Submit exactly what the form showed, as a browser would.
    form = PoolForm(data=rendered, initial=initial)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["usable"] == stored
    assert form.cleaned_data["binary_quota"] == stored
    assert not form.has_changed()


def test_has_changed_compares_bytes_not_text():
    field = CapacityField()
    assert not field.has_changed(2 * PB, "2000 TB")
    assert field.has_changed(2 * PB, "2.1 PB")
    assert field.has_changed(2 * PB, "junk")
    assert not field.has_changed(None, "")


def test_bound_form_with_an_error_shows_what_was_typed():
    form = PoolForm(data={"usable": "12 XB"})
    assert 'value="12 XB"' in str(form["usable"])


def test_works_as_the_form_class_of_a_bigintegerfield():
    # What admin formfield_overrides do: BigIntegerField hands over its min_value/max_value.
    field = models.BigIntegerField(verbose_name="hard limit").formfield(form_class=CapacityField)
    assert isinstance(field, CapacityField)
    assert field.label == "Hard limit"
    assert field.clean("1.5 TiB") == 3 * 2**39
    assert field.clean(str(MAX_CAPACITY)) == MAX_CAPACITY
    with pytest.raises(forms.ValidationError):
        field.clean("-1 TB")


def test_positive_bigintegerfield_minimum_is_kept():
    field = models.PositiveBigIntegerField().formfield(form_class=CapacityField, min_value=10)
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("9")
    assert caught.value.messages == ["Must be at least 10 bytes."]
