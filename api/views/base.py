"""What every API view shares: sign-in by token or session instead of the login page's redirect; English."""

from __future__ import annotations

from django.utils import translation

#: The language of every API answer (error messages, schema texts), whatever the client's Accept-Language:
#: the API is for programs, which read its field names and error codes (docs/translating-the-apps.md).
API_LANGUAGE = "en"


class ApiViewMixin:
    """Answer 401/403 in JSON rather than being redirected to the login page by LoginRequiredMiddleware.

    The site's middleware sends anonymous visitors to the login form; API clients need a status code, and
    DRF's own authentication and permission classes decide instead. (DRF marks its views so itself; saying
    it here keeps it true should that change.)

    Every answer is in English (API_LANGUAGE), also when the browser or client asks for another language:
    the pages are translated, the API's messages are not (its codes are what programs rely on).
    """

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False
        return view

    def dispatch(self, request, *args, **kwargs):
        with translation.override(API_LANGUAGE):
            response = super().dispatch(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", API_LANGUAGE)
        return response
