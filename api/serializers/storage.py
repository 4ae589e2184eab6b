"""Sites, arrays and pools, each with its capacity figures as the storage pages show them."""

from __future__ import annotations

from rest_framework import serializers

from inventory.models import Site, StorageArray, StoragePool


class FiguresSerializer(serializers.Serializer):
    """One row of dashboard.selectors.storage.capacity_figures(): bytes are exact integers, percents 0-100."""

    raw_bytes = serializers.IntegerField(allow_null=True, help_text="Raw disk capacity (arrays and sites).")
    usable_bytes = serializers.IntegerField()
    pooled_bytes = serializers.IntegerField(help_text="Capacity carved into pools.")
    allocatable_bytes = serializers.IntegerField(help_text="Capacity × maximum oversubscription.")
    allocated_bytes = serializers.IntegerField(help_text="Sum of active allocations' quotas.")
    used_bytes = serializers.IntegerField(help_text="Latest reported logical usage of active allocations.")
    physical_used_bytes = serializers.IntegerField(help_text="Physical usage (logical where not reported).")
    free_bytes = serializers.IntegerField(help_text="Usable minus physical used.")
    allocated_percent = serializers.FloatField(allow_null=True)
    used_percent = serializers.FloatField(allow_null=True)
    oversubscription = serializers.FloatField(allow_null=True, help_text="Allocated ÷ usable.")
    reduction_ratio = serializers.FloatField(allow_null=True, help_text="Logical ÷ physical, where both reported.")
    nearly_overcommitted = serializers.BooleanField(allow_null=True)
    allocation_count = serializers.IntegerField()
    not_reporting_count = serializers.IntegerField()
    pool_count = serializers.IntegerField()


class SiteSerializer(serializers.ModelSerializer):
    figures = FiguresSerializer(allow_null=True, read_only=True, help_text="Over the site's in-service arrays.")

    class Meta:
        model = Site
        fields = ["slug", "name", "city", "country", "notes", "figures"]


class ArraySerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    figures = FiguresSerializer(allow_null=True, read_only=True)

    class Meta:
        model = StorageArray
        fields = [
            "slug",
            "name",
            "site",
            "vendor",
            "model",
            "serial_number",
            "media_type",
            "lifecycle_status",
            "raw_bytes",
            "usable_bytes",
            "firmware_version",
            "commissioned_on",
            "support_ends_on",
            "figures",
        ]


class PoolSerializer(serializers.ModelSerializer):
    array = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    figures = FiguresSerializer(allow_null=True, read_only=True)

    class Meta:
        model = StoragePool
        fields = [
            "slug",
            "name",
            "array",
            "tier",
            "protocols",
            "capacity_bytes",
            "max_oversubscription",
            "warning_threshold",
            "critical_threshold",
            "figures",
        ]
