"""Pagination for every list: page numbers for tables, cursors for time series (no COUNT over samples)."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N`` and ``?page_size=`` (up to 1000): a count and a page, two queries."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class SeriesCursorPagination(pagination.CursorPagination):
    """Daily points in date order; ``next`` carries on after the last day of the page."""

    page_size = 366
    page_size_query_param = "page_size"
    max_page_size = 3660
    ordering = "day"
