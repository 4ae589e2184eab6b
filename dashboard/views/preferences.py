"""The units toggle: flip between decimal (TB) and binary (TiB) units and go back where the user was."""

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dashboard.units import prefers_binary, set_binary


@require_POST
def toggle_units(request: HttpRequest) -> HttpResponseRedirect:
    """POST only (it changes state); ``next`` is followed only when it points back into this site."""
    set_binary(request, binary=not prefers_binary(request))
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("dashboard:overview")
    return HttpResponseRedirect(target)
