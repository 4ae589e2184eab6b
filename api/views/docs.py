"""The OpenAPI schema and the Swagger UI, served by the app itself under the site's Content-Security-Policy.

The split view loads its start-up script from a URL of its own (no inline script), the Swagger UI files come
from drf-spectacular-sidecar's static files, and our page template moves the stock page's inline <style> into
a static stylesheet, so nothing needs 'unsafe-inline'.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from api.views.base import ApiViewMixin


class SchemaView(ApiViewMixin, SpectacularAPIView):
    """The OpenAPI 3 schema, for a signed-in user or a token."""

    permission_classes = [IsAuthenticated]


class SwaggerView(SpectacularSwaggerSplitView):
    """The browsable docs; the site's login page first (session sign-in), then requests go with the session."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"

    @classmethod
    def as_view(cls, *args, **kwargs):
        # DRF exempts its views from LoginRequiredMiddleware; this page is for people, so send them to log in.
        view = super().as_view(*args, **kwargs)
        view.login_required = True
        return view
