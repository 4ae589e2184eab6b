"""Finding pools and arrays by what people type: one definition for the dashboard's filters and the admin's.

An exact slug picks exactly that pool or array (so ``?pool=<slug>`` links keep meaning one pool, even when
the slug is also part of other names); anything else matches where every word appears, case-insensitive,
in the name or slug (and, for pools, the array's name). A text box instead of a list of choices: with
hundreds of pools or arrays, the options alone were most of a list page's rendering (bench/ANALYSIS.md).
"""

from __future__ import annotations

from django.db.models import Exists, Q

#: At most this many words are matched (a pasted paragraph should not make a huge query).
MAX_WORDS = 8


def _condition(model, value: str, path: str, word_fields: tuple[str, ...]) -> Q:
    by_words = Q()
    for word in value.split()[:MAX_WORDS]:
        any_field = Q()
        for field in word_fields:
            any_field |= Q(**{f"{path}__{field}__icontains": word})
        by_words &= any_field
    # An uncorrelated subquery, run once: no extra query.
    slug_exists = Exists(model.objects.filter(slug=value))
    return Q(**{f"{path}__slug": value}) | (~slug_exists & by_words)


def pool_condition(value: str, path: str = "pool") -> Q:
    """Rows whose pool (reached through *path*) is the pool *value* names, or whose name holds its words."""
    from inventory.models import StoragePool

    return _condition(StoragePool, value.strip(), path, ("name", "slug", "array__name"))


def array_condition(value: str, path: str = "pool__array") -> Q:
    """Rows whose array (reached through *path*) is the array *value* names, or whose name holds its words."""
    from inventory.models import StorageArray

    return _condition(StorageArray, value.strip(), path, ("name", "slug"))
