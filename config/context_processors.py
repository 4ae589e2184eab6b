"""Template context from settings (no query)."""

from django.conf import settings


def password_reset(request) -> dict:
    """``password_reset_enabled``: the login page links to password reset only where e-mail can be sent."""
    return {"password_reset_enabled": bool(getattr(settings, "EMAIL_ENABLED", False))}
