"""/api/tokens/: each user's own API tokens: create one (its secret shown once), see them, revoke them.

Plain forms and POSTs (works without JavaScript). Admins see and revoke everyone's in the admin.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from api.models import ApiToken
from api.tokens import create_token, revoke_token

EXPIRY_CHOICES = [(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("1 year"))]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What it is for, e.g. “lfs quota cron on login-1”.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial=settings.API_TOKEN_DEFAULT_DAYS
    )


def token_list(request) -> HttpResponse:
    """The user's tokens, newest first, and the form for a new one; a new token's secret shows here once."""
    created = secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            created, secret = create_token(user=request.user, **form.cleaned_data)
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    response = render(
        request, "api/tokens.html", {"form": form, "tokens": tokens, "created": created, "secret": secret}
    )
    # The secret is on this page once: never let a cache keep it.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def revoke(request, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token=token)
    messages.success(request, gettext("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api:tokens")
