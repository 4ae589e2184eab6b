"""Allocations: read with the figures of the allocation list; written through inventory.services.allocations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.models import Allocation, ResearchProject, StoragePool
from inventory.units import CapacityError, parse_capacity


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]})
class CapacityInput(serializers.Field):
    """Bytes as a whole number, or text with a unit (``"310 TB"``, ``"1.5 PiB"``), read by inventory.units."""

    def to_internal_value(self, data):
        try:
            return parse_capacity(data)
        except CapacityError as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, value):
        return value


class AllocationSerializer(serializers.ModelSerializer):
    """What everyone may read; staff also see who requested and approved, and why (as on the pages)."""

    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team = serializers.CharField(source="project.team.slug", read_only=True)
    pool = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    array = serializers.CharField(source="pool.array.slug", read_only=True)
    used_percent = serializers.FloatField(read_only=True, allow_null=True)
    threshold_state = serializers.CharField(read_only=True, allow_null=True)
    quota_drift_bytes = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "project",
            "team",
            "pool",
            "array",
            "status",
            "quota_bytes",
            "quota_id",
            "start_date",
            "end_date",
            "used_bytes",
            "physical_used_bytes",
            "file_count",
            "usage_measured_at",
            "used_percent",
            "threshold_state",
            "enforced_quota_bytes",
            "quota_drift_bytes",
            "approved_at",
            "created_at",
        ]
        read_only_fields = fields


class StaffAllocationSerializer(AllocationSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True)

    class Meta(AllocationSerializer.Meta):
        fields = [*AllocationSerializer.Meta.fields, "requested_by", "approved_by", "justification"]
        read_only_fields = fields


class AllocationWriteSerializer(serializers.Serializer):
    """The fields an allocation manager sets; the service checks the capacity rules and the constraints."""

    project = serializers.SlugRelatedField(slug_field="code", queryset=ResearchProject.objects.all())
    pool = serializers.SlugRelatedField(slug_field="slug", queryset=StoragePool.objects.all())
    quota_bytes = CapacityInput(help_text='Bytes, or text with a unit: "310 TB", "1.5 PiB".')
    status = serializers.ChoiceField(choices=Allocation.Status.choices, default=Allocation.Status.REQUESTED)
    quota_id = serializers.CharField(max_length=255, allow_blank=True, default="")
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    justification = serializers.CharField(allow_blank=True, default="")

    def validate_status(self, value):
        # As in the admin form: making an allocation active is approving it.
        instance = self.instance
        was_active = instance is not None and instance.status == Allocation.Status.ACTIVE
        user = self.context["request"].user
        if value == Allocation.Status.ACTIVE and not was_active and not user.has_perm("inventory.approve_allocation"):
            raise serializers.ValidationError("Only users allowed to approve allocations can make one active.")
        return value


class DecisionSerializer(serializers.Serializer):
    """Approve or deny: nothing to send but an optional note (kept in the allocation's history)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
