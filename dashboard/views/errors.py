"""Error pages in the app's own look.

The 400, 403, 500 and 503 pages render without a request context (no context processors, no
user, no query): they must work when the database is the reason for the error. The 404 page
uses the full layout; if rendering it fails, Django falls back to the 500 handler.
"""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

#: Seconds a client (or proxy) is told to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def _plain(template_name: str, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(template_name), status=status)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", {"path": request.path}, status=404)


@login_not_required
def bad_request(request, exception=None):
    return _plain("400.html", 400)


@login_not_required
def permission_denied(request, exception=None):
    return _plain("403.html", 403)


@login_not_required
def server_error(request):
    """500, or 503 "the database is unavailable" when the error is a lost or refused connection or a timeout."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = _plain("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _plain("500.html", 500)
