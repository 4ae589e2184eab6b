"""Top-level URL map."""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from api.views.metrics import metrics


def needs_email(view):
    """Password reset only where e-mail is configured (EMAIL_URL): elsewhere its pages do not exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.EMAIL_ENABLED:
            raise Http404(_("Password reset is switched off: no e-mail is configured."))
        return view(request, *args, **kwargs)

    return wrapped


account_urls = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", needs_email(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path("password_reset/done/", needs_email(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        needs_email(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("reset/done/", needs_email(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # The header's language switcher (POST language, next): sets the language cookie, signed in or not.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # REST API (api/): /api/v1/..., /api/schema/, /api/docs/, /api/tokens/; Prometheus at /metrics.
    path("api/", include("api.urls")),
    path("metrics", metrics, name="metrics"),
    path("accounts/oidc/", include("api.oidc.urls")),  # OpenID Connect sign-in (api/oidc/)
    path("accounts/", include(account_urls)),
    path("collectors/", include("collection.urls")),
    path("me/notifications/", include("notifications.urls")),  # notifications/: a person's preferences
    path("", include("approvals.urls")),  # /requests/ and /projects/<code>/request/ (approvals/)
    path("", include("dashboard.urls")),
]

handler400 = "dashboard.views.errors.bad_request"
handler403 = "dashboard.views.errors.permission_denied"
handler404 = "dashboard.views.errors.page_not_found"
handler500 = "dashboard.views.errors.server_error"
