"""Daily usage series: a date range, cursor pages (one query a page, no COUNT), the same for every kind."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from api.pagination import SeriesCursorPagination
from api.serializers.usage import DateRangeSerializer

DATE_RANGE_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First UTC day (inclusive)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last UTC day (inclusive)."),
    OpenApiParameter("cursor", OpenApiTypes.STR, description="From the previous page's `next`."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Days per page (default 366)."),
]


def date_range(request) -> dict:
    """The validated ``start``/``end`` of the query string (a 400 naming the field otherwise)."""
    params = DateRangeSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def daily_series(view, queryset) -> Response:
    """Rows with a ``day`` within the request's range, a cursor page at a time."""
    bounds = date_range(view.request)
    if "start" in bounds:
        queryset = queryset.filter(day__gte=bounds["start"])
    if "end" in bounds:
        queryset = queryset.filter(day__lte=bounds["end"])
    paginator = SeriesCursorPagination()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    serializer = view.get_serializer(page, many=True)
    return paginator.get_paginated_response(serializer.data)
