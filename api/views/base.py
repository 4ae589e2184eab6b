"""What every API view shares: sign-in by token or session instead of the login page's redirect."""

from __future__ import annotations


class ApiViewMixin:
    """Answer 401/403 in JSON rather than being redirected to the login page by LoginRequiredMiddleware.

    The site's middleware sends anonymous visitors to the login form; API clients need a status code, and
    DRF's own authentication and permission classes decide instead. (DRF marks its views so itself; saying
    it here keeps it true should that change.)
    """

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False
        return view
