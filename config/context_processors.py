"""Template context from settings (no query)."""

from django.conf import settings


def password_reset(request) -> dict:
    """``password_reset_enabled``: the login page links to password reset only where e-mail can be sent."""
    return {"password_reset_enabled": bool(getattr(settings, "EMAIL_ENABLED", False))}


def languages(request) -> dict:
    """``interface_languages``: (code, name) of each interface language for the header's switcher, each named
    in its own language ("English", "Norsk bokmål"), not translated as Django's get_available_languages does."""
    return {"interface_languages": settings.LANGUAGES}
