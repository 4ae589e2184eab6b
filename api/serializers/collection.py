"""Collector runs: what each collection from an array read, wrote and ran into."""

from __future__ import annotations

from rest_framework import serializers

from collection.models import CollectionRun


class CollectionRunSerializer(serializers.ModelSerializer):
    array = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    collector = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = CollectionRun
        fields = [
            "id",
            "array",
            "collector",
            "kind",
            "started_at",
            "finished_at",
            "outcome",
            "pools_observed",
            "file_systems",
            "quota_trees",
            "samples_added",
            "samples_skipped",
            "unmatched",
            "logins",
            "errors",
            "warnings",
        ]
        read_only_fields = fields
