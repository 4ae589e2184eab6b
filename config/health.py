"""The /healthz endpoint for load balancers and container health checks."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
@login_not_required
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
