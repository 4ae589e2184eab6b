"""Requests for storage: read as the requester and the queue see them; asked for through approvals.services."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.allocations import CapacityInput
from approvals.models import AllocationRequest
from inventory.models import Allocation, ResearchProject, StoragePool


class AllocationRequestSerializer(serializers.ModelSerializer):
    """One request: what was asked (and what the allocation had before a change), its state and the decision."""

    allocation = serializers.PrimaryKeyRelatedField(read_only=True)
    project = serializers.CharField(source="allocation.project.code", read_only=True)
    team = serializers.CharField(source="allocation.project.team.slug", read_only=True)
    pool = serializers.CharField(source="allocation.pool.slug", read_only=True)
    array = serializers.CharField(source="allocation.pool.array.slug", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = AllocationRequest
        fields = [
            "id",
            "kind",
            "status",
            "allocation",
            "project",
            "team",
            "pool",
            "array",
            "quota_bytes",
            "end_date",
            "previous_quota_bytes",
            "previous_end_date",
            "justification",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class AllocationRequestWriteSerializer(serializers.Serializer):
    """A new allocation (project, pool, quota, end date) or a change of an active one (allocation, and a larger
    quota and/or a later end date). The service checks who may ask and every rule."""

    kind = serializers.ChoiceField(choices=AllocationRequest.Kind.choices)
    project = serializers.SlugRelatedField(
        slug_field="code", queryset=ResearchProject.objects.all(), required=False, help_text="For a new allocation."
    )
    pool = serializers.SlugRelatedField(
        slug_field="slug", queryset=StoragePool.objects.all(), required=False, help_text="For a new allocation."
    )
    allocation = serializers.PrimaryKeyRelatedField(
        queryset=Allocation.objects.all(), required=False, help_text="For a change: the active allocation."
    )
    quota_bytes = CapacityInput(
        required=False, allow_null=True, help_text='Bytes, or text with a unit: "310 TB", "1.5 PiB".'
    )
    end_date = serializers.DateField(required=False, allow_null=True)
    justification = serializers.CharField(allow_blank=True, default="")

    def validate(self, data):
        needed = ("project", "pool", "quota_bytes") if data["kind"] == AllocationRequest.Kind.NEW else ("allocation",)
        missing = {name: "This field is required for this kind of request." for name in needed if not data.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return data
