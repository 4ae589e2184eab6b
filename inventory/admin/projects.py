"""Teams (with their members) and research projects (with their allocations) in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inventory.admin.annotations import project_figures, team_figures
from inventory.admin.base import (
    AllocationInlineMixin,
    DatabaseRulesAdmin,
    HistoryAdmin,
    ServiceFormsetMixin,
    StartedListFilter,
    capacity,
)
from inventory.admin.forms import AllocationInlineForm, AllocationInlineFormSet, RulesForm
from inventory.models import Allocation, ResearchProject, Team, TeamMembership


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    form = RulesForm
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "team")


@admin.register(Team)
class TeamAdmin(DatabaseRulesAdmin):
    form = RulesForm
    inlines = (MembershipInline,)
    list_display = (
        "name",
        "institution",
        "member_count",
        "project_count",
        "allocated_display",
        "used_display",
        "not_reporting_display",
    )
    search_fields = ("name", "slug", "institution__name", "institution__short_name")
    list_filter = ("institution",)
    list_select_related = ("institution",)
    autocomplete_fields = ("institution",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**team_figures())

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description=_("projects"), ordering="project_total")
    def project_count(self, obj):
        return obj.project_total

    @admin.display(description=_("allocated (active)"), ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description=_("used"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)

    @admin.display(description=_("not reporting"), ordering="not_reporting_count")
    def not_reporting_display(self, obj):
        return obj.not_reporting_count


class ProjectAllocationInline(AllocationInlineMixin, admin.TabularInline):
    """The allocations of a project, quotas in units."""

    model = Allocation
    fk_name = "project"
    form = AllocationInlineForm
    formset = AllocationInlineFormSet
    fields = ("pool", "status", "quota_bytes", "start_date", "end_date", "quota_id", "used_bytes")
    readonly_fields = ("used_bytes",)
    autocomplete_fields = ("pool",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "pool", "pool__array")


@admin.register(ResearchProject)
class ResearchProjectAdmin(ServiceFormsetMixin, HistoryAdmin):
    form = RulesForm
    inlines = (ProjectAllocationInline,)
    list_display = (
        "code",
        "title",
        "team",
        "principal_investigator",
        "status",
        "start_date",
        "end_date",
        "allocated_display",
        "used_display",
    )
    # Not "team": thousands of filter links (the search box finds a team by name instead);
    # no date_hierarchy: it reads every project's start date on each view.
    list_filter = ("status", StartedListFilter, "field_of_science")
    list_select_related = ("team", "principal_investigator")
    search_fields = ("code", "title", "field_of_science", "team__name", "principal_investigator__username")
    autocomplete_fields = ("team", "principal_investigator")
    # Rendering cost grows with the rows shown: 50 keep the page within its target (bench/ANALYSIS.md).
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**project_figures())

    @admin.display(description=_("allocated (active)"), ordering="allocated_bytes")
    def allocated_display(self, obj):
        return capacity(obj.allocated_bytes)

    @admin.display(description=_("used"), ordering="used_bytes")
    def used_display(self, obj):
        return capacity(obj.used_bytes)
