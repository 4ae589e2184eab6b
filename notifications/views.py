"""/me/notifications/: a person's own notification preferences and what was recently sent to them."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from notifications.forms import PreferenceForm
from notifications.models import Delivery, Preference

RECENT = 20


def preferences(request: HttpRequest) -> HttpResponse:
    """Show and change the signed-in user's preferences (a plain form: no JavaScript needed)."""
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    recent = (
        Delivery.objects.filter(user=request.user, channel=Delivery.Channel.EMAIL)
        .select_related("event")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    context = {"form": form, "recent": recent, "email_enabled": settings.EMAIL_ENABLED}
    return render(request, "notifications/preferences.html", context)
