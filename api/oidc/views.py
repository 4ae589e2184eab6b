"""/accounts/oidc/login/ sends the browser to the provider; /accounts/oidc/callback/ signs the person in.

Every failure (a wrong or replayed state, an expired or used code, a provider that cannot be reached, an
answer without a subject) ends on a page that says what happened, with a way back to the login page.
"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import OAuthError
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from api.oidc import client as oidc_client
from api.oidc.services import sign_in

log = logging.getLogger(__name__)
NEXT_KEY = "oidc_next"


def _failed(request, reason: str, status: int = 400) -> HttpResponse:
    return render(request, "api/oidc_failed.html", {"reason": reason}, status=status)


@require_GET
@never_cache
@login_not_required
def oidc_login(request) -> HttpResponse:
    if not oidc_client.is_configured():
        raise Http404("Single sign-on is not configured.")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    request.session[NEXT_KEY] = next_url
    try:
        return oidc_client.client().authorize_redirect(request, request.build_absolute_uri(reverse("oidc-callback")))
    except (requests.RequestException, OAuthError, ValueError) as error:
        log.warning("OpenID Connect provider unavailable: %s", error)
        return _failed(request, gettext("The sign-in service could not be reached. Try again later."), status=502)


@require_GET
@never_cache
@login_not_required
def oidc_callback(request) -> HttpResponse:
    if not oidc_client.is_configured():
        raise Http404("Single sign-on is not configured.")
    client = oidc_client.client()
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(description="the provider sent no ID token")
        if settings.OIDC_GROUPS_CLAIM not in claims:
            # Some providers put groups in the userinfo answer only.
            claims = {**dict(client.userinfo(token=token)), **claims}
    except OAuthError as error:
        return _failed(request, _explain(error))
    except JoseError as error:
        log.warning("OpenID Connect ID token refused: %s", error)
        return _failed(request, gettext("The sign-in service's answer could not be verified. Please sign in again."))
    except requests.RequestException as error:
        log.warning("OpenID Connect provider unavailable: %s", error)
        return _failed(request, gettext("The sign-in service could not be reached. Try again later."), status=502)
    try:
        user = sign_in(
            issuer=str(claims.get("iss") or client.load_server_metadata().get("issuer", "")),
            claims=claims,
            username_claim=settings.OIDC_USERNAME_CLAIM,
            groups_claim=settings.OIDC_GROUPS_CLAIM,
        )
    except ValidationError as error:
        return _failed(request, " ".join(error.messages), status=403)
    auth_login(request, user, backend="api.oidc.backends.PasswordBackend")
    return redirect(request.session.pop(NEXT_KEY, "") or settings.LOGIN_REDIRECT_URL)


def _explain(error: OAuthError) -> str:
    if error.error == "mismatching_state":
        return gettext(
            "This sign-in answer does not belong to a sign-in started in this browser (its state does not match). "
            "Please sign in again."
        )
    if error.error == "invalid_grant":
        return gettext("The sign-in took too long or was already used (the code expired). Please sign in again.")
    if error.error == "access_denied":
        return gettext("The sign-in was cancelled or refused at the sign-in service.")
    return gettext("The sign-in service refused the sign-in (%(error)s). Please sign in again.") % {
        "error": error.error or "error"
    }
