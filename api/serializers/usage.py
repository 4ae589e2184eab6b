"""Daily usage series, usage imports, pushed reports and the XDMoD export."""

from __future__ import annotations

import datetime

from rest_framework import serializers

from inventory.importers import FORMATS
from inventory.models import PoolDailyUsage, TeamDailyUsage, UsageImport


class DateRangeSerializer(serializers.Serializer):
    """``?start=`` and ``?end=`` (inclusive, YYYY-MM-DD, UTC days); either may be left out."""

    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "The end must not be before the start."})
        return attrs


class PoolDayUsageSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolDailyUsage
        fields = ["day", "used_bytes", "physical_used_bytes", "allocations"]


class TeamDayUsageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamDailyUsage
        fields = ["day", "used_bytes", "physical_used_bytes", "allocations"]


class AllocationDayUsageSerializer(serializers.Serializer):
    """An allocation's last sample of a UTC day."""

    day = serializers.DateField()
    measured_at = serializers.DateTimeField()
    used_bytes = serializers.IntegerField()
    physical_used_bytes = serializers.IntegerField(allow_null=True)
    file_count = serializers.IntegerField(allow_null=True)
    soft_limit_bytes = serializers.IntegerField(allow_null=True)
    hard_limit_bytes = serializers.IntegerField(allow_null=True)


class UsageImportSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    pool = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = UsageImport
        fields = [
            "id",
            "created_at",
            "user",
            "file_name",
            "format",
            "pool",
            "outcome",
            "records",
            "added",
            "skipped",
            "drift_warnings",
            "error_count",
            "messages",
            "sha256",
        ]
        read_only_fields = fields


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment that must carry its time zone (a report's moment is never guessed), in UTC."""

    def to_internal_value(self, value):
        try:
            moment = datetime.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise serializers.ValidationError(
                "Not an ISO 8601 date and time: write it like 2026-11-28T00:00:00Z."
            ) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise serializers.ValidationError("Add a time zone: Z for UTC, or an offset such as +01:00.")
        return moment.astimezone(datetime.UTC)


class UsageReportSerializer(serializers.Serializer):
    """A pushed report: the same choices as ``manage.py import_usage`` and the admin's upload."""

    file = serializers.FileField()
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    pool = serializers.SlugField(required=False, allow_blank=True, help_text="Pool slug, for formats that name none.")
    quota_trees = serializers.FileField(required=False, help_text="OceanStor only: the QUOTATREE response.")
    measured_at = AwareDateTimeField(
        required=False, help_text="For formats that carry no moment: ISO 8601 with a time zone (default: now)."
    )
    dry_run = serializers.BooleanField(default=False)


class RecordErrorSerializer(serializers.Serializer):
    record = serializers.CharField(help_text="Where in the file (record 3, line 14); empty for the whole file.")
    reason = serializers.CharField()


class UsageReportResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    import_id = serializers.IntegerField(allow_null=True)
    file_name = serializers.CharField()
    format = serializers.CharField()
    dry_run = serializers.BooleanField()
    records = serializers.IntegerField()
    added = serializers.IntegerField()
    skipped = serializers.IntegerField()
    warnings = RecordErrorSerializer(many=True)
    errors = RecordErrorSerializer(many=True)
    summary = serializers.CharField()


class XdmodQuerySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The UTC day, YYYY-MM-DD.")


class XdmodRecordSerializer(serializers.Serializer):
    """One Open XDMoD storage-realm record."""

    resource = serializers.CharField()
    mountpoint = serializers.CharField()
    user = serializers.CharField()
    pi = serializers.CharField()
    dt = serializers.CharField()
    file_count = serializers.IntegerField()
    logical_usage = serializers.IntegerField()
    physical_usage = serializers.IntegerField(required=False)
    soft_threshold = serializers.IntegerField(required=False)
    hard_threshold = serializers.IntegerField(required=False)
