"""Top-level URL map."""

from django.contrib import admin
from django.urls import include, path

from api.views.metrics import metrics
from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # REST API (api/): /api/v1/..., /api/schema/, /api/docs/, /api/tokens/; Prometheus at /metrics.
    path("api/", include("api.urls")),
    path("metrics", metrics, name="metrics"),
    path("accounts/oidc/", include("api.oidc.urls")),  # OpenID Connect sign-in (api/oidc/)
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("dashboard.urls")),
]

handler404 = "dashboard.views.errors.page_not_found"
handler500 = "dashboard.views.errors.server_error"
