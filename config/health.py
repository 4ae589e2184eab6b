"""The /healthz endpoint for load balancers and container health checks.

It is answered by :class:`HealthCheckMiddleware`, first in the middleware list, so that no
Host-header check stands in the way: a container health check calls
``http://127.0.0.1:8000/healthz``, and production's ALLOWED_HOSTS names only the public host.
The answer reveals nothing of the configuration, so answering any Host is harmless.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PATH = "/healthz"


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers a query, 503 otherwise.

    The body says which dependency failed but never how it is configured
    (no host names, users or error text that could leak settings).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"database": "unavailable", "reason": "the database did not answer"}, status=503)
    return JsonResponse({"database": "ok"})


class HealthCheckMiddleware:
    """Answers ``/healthz`` itself, before the Host header, sessions or logins are looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
