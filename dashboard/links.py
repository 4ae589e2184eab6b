"""Links to the dashboard's pages from the rows of a table, without one ``reverse()`` per link.

``reverse()`` resolves the URL pattern, checks every argument against its converter and quotes the path on
each call; a table of thirty rows with four links each paid that 120 times for the same four patterns.
Here each pattern is reversed once (per script prefix) with marker arguments and kept as a format string;
a link then costs one ``%`` and the same quoting ``reverse()`` applies. The values come from the database
(slugs, codes, primary keys) and already match their converters; anything else should use ``reverse()``.

    page_url("dashboard:pool-detail", array=pool.array.slug, pool=pool.slug)  # "/storage/a1/p1/"
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

# What reverse() leaves unquoted in a path (django.urls.resolvers: RFC 3986 sub-delimiters and "/~:@").
_SAFE = "/~:@!$&'()*+,;="
# What quote() never changes (RFC 3986's unreserved characters).
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _marker(index: int) -> str:
    # Digits only, so that int, slug and str converters all accept it; unlikely anywhere else in a path.
    return f"7390{index}0937"


@lru_cache(maxsize=256)
def _pattern(name: str, script_prefix: str, params: tuple[str, ...]) -> str:
    """The URL *name* as a %-format string with one ``%(param)s`` per parameter."""
    path = reverse(name, kwargs={param: _marker(index) for index, param in enumerate(params)})
    path = path.replace("%", "%%")
    for index, param in enumerate(params):
        path = path.replace(_marker(index), f"%({param})s")
    return path


def page_url(name: str, **params) -> str:
    """The path of the URL *name* with *params*, as ``reverse(name, kwargs=params)`` would give it."""
    pattern = _pattern(name, get_script_prefix(), tuple(sorted(params)))
    return pattern % {param: _path_value(value) for param, value in params.items()}


def _path_value(value) -> str:
    """*value* quoted as reverse() quotes it; slugs, codes and ids (nearly every value) need no quoting."""
    text = str(value)
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe=_SAFE)
