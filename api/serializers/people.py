"""Teams and projects with the figures of the team and project pages (computed by their selectors)."""

from __future__ import annotations

from rest_framework import serializers

from inventory.models import ResearchProject, Team


class TeamSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(
        source="institution.name", read_only=True, allow_null=True, help_text="The institution's name."
    )
    institution_slug = serializers.CharField(source="institution.slug", read_only=True, allow_null=True)
    project_count = serializers.IntegerField(read_only=True)
    allocated_bytes = serializers.IntegerField(read_only=True)
    used_bytes = serializers.IntegerField(read_only=True, allow_null=True)
    not_reporting_count = serializers.IntegerField(read_only=True)
    used_percent = serializers.FloatField(read_only=True, allow_null=True)
    growth_7_bytes = serializers.IntegerField(read_only=True, allow_null=True, help_text="Usage growth over 7 days.")
    growth_30_bytes = serializers.IntegerField(read_only=True, allow_null=True, help_text="Usage growth over 30 days.")

    class Meta:
        model = Team
        fields = [
            "slug",
            "name",
            "institution",
            "institution_slug",
            "description",
            "project_count",
            "allocated_bytes",
            "used_bytes",
            "not_reporting_count",
            "used_percent",
            "growth_7_bytes",
            "growth_30_bytes",
        ]


class ProjectSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    principal_investigator = serializers.CharField(source="principal_investigator.username", read_only=True)
    principal_investigator_name = serializers.CharField(source="principal_investigator.get_full_name", read_only=True)
    allocation_count = serializers.IntegerField(read_only=True, help_text="Active allocations.")
    allocated_bytes = serializers.IntegerField(read_only=True)
    used_bytes = serializers.IntegerField(read_only=True, allow_null=True)
    not_reporting_count = serializers.IntegerField(read_only=True)
    used_percent = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ResearchProject
        fields = [
            "code",
            "title",
            "team",
            "principal_investigator",
            "principal_investigator_name",
            "field_of_science",
            "status",
            "start_date",
            "end_date",
            "allocation_count",
            "allocated_bytes",
            "used_bytes",
            "not_reporting_count",
            "used_percent",
        ]
