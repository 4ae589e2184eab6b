"""Showback figures for people: TB-months with three decimals, costs with two (exact fractions inside)."""

from fractions import Fraction

from django import template
from django.utils.formats import number_format

from dashboard.bar_charts import tb_months_text
from dashboard.showback_exports import decimal

register = template.Library()


@register.filter
def tb_months(value: Fraction | None) -> str:
    return "" if value is None else tb_months_text(value)


@register.filter
def money(value: Fraction | None) -> str:
    return "" if value is None else number_format(decimal(value, 2), decimal_pos=2, force_grouping=True)
