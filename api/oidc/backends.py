"""Password sign-in, which settings.PASSWORD_LOGIN can limit to break-glass superusers or turn off."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

ON, SUPERUSERS, OFF = "on", "superusers", "off"


def password_login_mode() -> str:
    mode = str(getattr(settings, "PASSWORD_LOGIN", ON)).strip().lower()
    return mode if mode in (ON, SUPERUSERS, OFF) else OFF  # an unknown value fails closed


class PasswordBackend(ModelBackend):
    """Django's own user/password check, refused where PASSWORD_LOGIN does not allow it.

    Sessions made by single sign-on also name this backend (it loads the user of every session).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        mode = password_login_mode()
        if mode == OFF:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and mode == SUPERUSERS and not user.is_superuser:
            return None
        return user
