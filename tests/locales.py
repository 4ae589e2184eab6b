"""Pages in Norwegian bokmål for tests: the languages and Django's LocaleMiddleware, whatever the settings say.

The settings of the project choose the languages and put LocaleMiddleware in place; these tests of the apps'
catalogs must not depend on that, so the ``bokmal`` fixture sets both (a no-op where they are there already).
"""

from __future__ import annotations

import pytest
from django.utils import translation

LANGUAGES = [("en-gb", "English"), ("nb", "Norsk bokmål")]
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"

#: What a browser set to Norwegian bokmål sends.
NB = {"HTTP_ACCEPT_LANGUAGE": "nb"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def with_locale_middleware(middleware) -> list[str]:
    """*middleware* with LocaleMiddleware right after the sessions' one (as Django documents), once."""
    middleware = list(middleware)
    if LOCALE_MIDDLEWARE not in middleware:
        middleware.insert(middleware.index(SESSION_MIDDLEWARE) + 1, LOCALE_MIDDLEWARE)
    return middleware


@pytest.fixture
def bokmal(settings):
    """English and bokmål offered, the browser's Accept-Language honoured; English again afterwards."""
    settings.LANGUAGES = LANGUAGES
    settings.MIDDLEWARE = with_locale_middleware(settings.MIDDLEWARE)
    yield
    # LocaleMiddleware leaves the last request's language active in the thread: back to the default.
    translation.deactivate()
