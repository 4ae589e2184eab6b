"""Small request and response rules that hold for every page."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils.cache import patch_cache_control


class ResponseHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: private`` where a view set none.

    Pages and CSV exports show what one user may see: no shared cache (a proxy, a CDN) may keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


class RejectNulBytesMiddleware:
    """400 for a NUL character in the path, a query parameter or a cookie.

    No address, filter or session key of ours can contain one, and PostgreSQL text cannot
    hold it: passed on, it would fail deep inside a query as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET.keys())
            or _has_nul(value for values in request.GET.lists() for value in values[1])
            or _has_nul(request.COOKIES.values())
        ):
            raise BadRequest("The address contains a NUL character.")
        return self.get_response(request)
