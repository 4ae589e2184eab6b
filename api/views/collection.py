"""Collector runs (the audit list of collections from the arrays), newest first."""

from __future__ import annotations

from rest_framework import viewsets

from api.filtersets import CollectionRunFilterSet
from api.permissions import TokenScope, ViewModelPermissions
from api.serializers.collection import CollectionRunSerializer
from api.views.base import ApiViewMixin
from collection.models import CollectionRun


class CollectionRunViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Every collection run, newest first: for those who may view collector runs (infrastructure admins)."""

    queryset = CollectionRun.objects.select_related("array").order_by("-started_at", "-id")
    serializer_class = CollectionRunSerializer
    filterset_class = CollectionRunFilterSet
    permission_classes = [ViewModelPermissions, TokenScope]
