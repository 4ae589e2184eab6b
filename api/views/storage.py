"""Sites, arrays and pools with their capacity figures, and each pool's daily usage.

The figures come from dashboard.selectors.storage (one query for every level), never recomputed here:
a list page is its rows (count + page) plus that one query, whatever the fleet's size.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action

from api.filtersets import ArrayFilterSet, PoolFilterSet
from api.serializers.storage import ArraySerializer, PoolSerializer, SiteSerializer
from api.serializers.usage import PoolDayUsageSerializer
from api.views.base import ApiViewMixin
from api.views.series import DATE_RANGE_PARAMETERS, daily_series
from dashboard.selectors.storage import capacity_figures
from inventory.models import PoolDailyUsage, Site, StorageArray, StoragePool


class _WithFigures(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Attach each object's row of the capacity figures (``figures``; null where it has none)."""

    lookup_field = "slug"
    figures_level = ""  # "sites", "arrays" or "pools"
    figures_key = ""  # the row's id column

    def figures_for(self, objects) -> dict:
        return {row[self.figures_key]: row for row in getattr(capacity_figures(), self.figures_level)}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._attach(page)
        return page

    def get_object(self):
        obj = super().get_object()
        self._attach([obj])
        return obj

    def _attach(self, objects) -> None:
        rows = self.figures_for(objects)
        for obj in objects:
            obj.figures = rows.get(obj.pk)


class SiteViewSet(_WithFigures):
    """Sites; ``figures`` cover the site's in-service arrays (as the storage page's site totals)."""

    queryset = Site.objects.order_by("name")
    serializer_class = SiteSerializer
    figures_level, figures_key = "sites", "site_id"


class ArrayViewSet(_WithFigures):
    queryset = StorageArray.objects.select_related("site").order_by("name")
    serializer_class = ArraySerializer
    filterset_class = ArrayFilterSet
    figures_level, figures_key = "arrays", "array_id"

    def figures_for(self, objects) -> dict:
        if len(objects) == 1:
            return {row["array_id"]: row for row in capacity_figures(array_id=objects[0].pk).arrays}
        return super().figures_for(objects)


class PoolViewSet(_WithFigures):
    queryset = StoragePool.objects.select_related("array").order_by("array__name", "name")
    serializer_class = PoolSerializer
    filterset_class = PoolFilterSet
    figures_level, figures_key = "pools", "pool_id"

    def figures_for(self, objects) -> dict:
        if len(objects) == 1:
            return {row["pool_id"]: row for row in capacity_figures(pool_id=objects[0].pk).pools}
        return super().figures_for(objects)

    @extend_schema(parameters=DATE_RANGE_PARAMETERS, responses=PoolDayUsageSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=PoolDayUsageSerializer, filterset_class=None)
    def usage(self, request, slug=None):
        """The pool's usage per UTC day, from the daily rollup (the figures the forecasts read)."""
        pool = generics.GenericAPIView.get_object(self)  # without figures: the series needs none
        return daily_series(self, PoolDailyUsage.objects.filter(pool=pool))
