"""Error pages in the app's own look."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", {"path": request.path}, status=404)


@login_not_required
def server_error(request):
    # Rendered without a RequestContext-dependent query: the database may be the cause.
    return render(request, "500.html", status=500)
