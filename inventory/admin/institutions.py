"""Institutions (with their teams' figures) and the showback's price per TB-month of each pool tier."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inventory.admin.annotations import institution_figures
from inventory.admin.base import DatabaseRulesAdmin, capacity
from inventory.admin.forms import RulesForm
from inventory.models import Institution, TierPrice


@admin.register(Institution)
class InstitutionAdmin(DatabaseRulesAdmin):
    form = RulesForm
    list_display = ("name", "short_name", "team_count", "allocated_display", "used_display", "not_reporting_display")
    search_fields = ("name", "short_name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**institution_figures())

    @admin.display(description=_("teams"), ordering="team_total")
    def team_count(self, obj):
        return obj.team_total

    @admin.display(description=_("allocated (active)"), ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description=_("used"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description=_("not reporting"), ordering="not_reporting_count")
    def not_reporting_display(self, obj):
        return obj.not_reporting_count


@admin.register(TierPrice)
class TierPriceAdmin(DatabaseRulesAdmin):
    form = RulesForm
    list_display = ("tier", "price_per_tb_month", "currency")
