"""``{% observed_capacity array %}`` / ``{% observed_capacity array pool %}``: what the array reports beside
the inventory's figure, flagged stale when the last successful collection is older than twice the interval.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from collection.selectors import observed

register = template.Library()


@register.inclusion_tag("collection/_observed.html", takes_context=True)
def observed_capacity(context, array, pool=None) -> dict:
    seen = observed(array_id=array.pk, pool_id=pool.pk if pool is not None else None, now=timezone.now())
    entered = pool.capacity_bytes if pool is not None else array.usable_bytes
    return {
        "seen": seen,
        "entered": entered,
        "subject": "pool" if pool is not None else "array",
        "differs": seen is not None and seen.observation.total_bytes not in (None, entered),
        "binary_units": context.get("binary_units", False),
    }
