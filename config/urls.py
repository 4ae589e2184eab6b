"""Top-level URL map."""

from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("collectors/", include("collection.urls")),
    path("", include("dashboard.urls")),
]

handler404 = "dashboard.views.errors.page_not_found"
handler500 = "dashboard.views.errors.server_error"
