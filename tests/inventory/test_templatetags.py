"""Template filters from {% load capacity %}, rendered through Django's template engine."""

from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import ngettext

from inventory.templatetags.capacity import LocalNumbers

PB = 10**15


def render(source, **context):
    return Template("{% load capacity %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "decimal", "binary"),
    [
        (2 * PB, "2.00 PB", "1.78 PiB"),
        (750 * 10**9, "750 GB", "698 GiB"),
        (999_999_999_999, "1.00 TB", "931 GiB"),
        (0, "0 B", "0 B"),
        (-3 * 10**12, "-3.00 TB", "-2.73 TiB"),
        (Decimal(2 * PB), "2.00 PB", "1.78 PiB"),
        (None, "—", "—"),
    ],
)
def test_capacity_filter(value, decimal, binary):
    assert render("{{ v|capacity }}", v=value) == decimal
    assert render('{{ v|capacity:"decimal" }}', v=value) == decimal
    assert render('{{ v|capacity:"binary" }}', v=value) == binary
    assert render("{{ v|capacity_units:False }}", v=value) == decimal
    assert render("{{ v|capacity_units:prefers_binary }}", v=value, prefers_binary=True) == binary


def test_capacity_filter_with_unknown_system_fails_loudly():
    with pytest.raises(TemplateSyntaxError, match='not "bianry"'):
        render('{{ v|capacity:"bianry" }}', v=PB)


def test_capacity_filter_is_quiet_on_values_that_are_not_bytes():
    assert render("{{ v|capacity }}", v=1.5) == ""
    assert render("{{ v|capacity }}", v="abc") == ""
    assert render("{{ missing|capacity }}") == "—"


def test_capacity_title_gives_exact_bytes():
    assert render('<td title="{{ v|capacity_title }}">', v=2 * PB) == '<td title="2,000,000,000,000,000 bytes">'
    assert render("{{ v|capacity_title }}", v=1) == "1 byte"
    assert render("{{ v|capacity_title }}", v=None) == ""
    assert render("{{ v|capacity_title }}", v=1.5) == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (85.25, "85.3 %"),
        (Decimal("85.25"), "85.3 %"),
        (85.24, "85.2 %"),
        (0, "0.0 %"),
        (100, "100.0 %"),
        (123.456, "123.5 %"),
        (-0.04, "0.0 %"),
        (-12.35, "-12.4 %"),
        (None, "—"),
        (float("nan"), "—"),
        (float("inf"), "—"),
        ("junk", ""),
    ],
)
def test_percent_filter(value, shown):
    assert render("{{ v|percent }}", v=value) == shown


@pytest.mark.parametrize("language", ["en-gb", "nb"])
def test_local_numbers_group_and_count_bytes_as_django_does(language):
    values = [0, 1, -1, 999, 1000, -1234567, 12_345_678_901_234, 2**63 - 1, Decimal("1234567")]
    with translation.override(language):
        numbers = LocalNumbers()
        assert [numbers.integer(v) for v in values] == [number_format(v, force_grouping=True) for v in values]
        assert [numbers.byte_count(v) for v in values[:-1]] == [
            ngettext("%(count)s byte", "%(count)s bytes", abs(v)) % {"count": number_format(v, force_grouping=True)}
            for v in values[:-1]
        ]
