"""For the login page: whether single sign-on is offered and whether passwords are accepted."""

from django import template
from django.conf import settings

from api.oidc.backends import OFF, password_login_mode
from api.oidc.client import is_configured

register = template.Library()


@register.simple_tag
def sso_login():
    """``{% sso_login as sso %}``: ``sso.name`` when single sign-on is configured, else None."""
    return {"name": settings.OIDC_PROVIDER_NAME} if is_configured() else None


@register.simple_tag
def password_login_offered() -> bool:
    return password_login_mode() != OFF
