"""Tags shared by the dashboard pages: usage bars, sortable headers, threshold states.

    {% load dashboard %}
    {% usage_bar row.used_bytes row.quota_bytes row.pool.warning_threshold row.pool.critical_threshold %}
    {% usage_bar used quota warning critical percent=row.used_percent label="of quota used" %}
    {% sort_header "Used" "used" numeric=True first="desc" %}
    {{ row.used_bytes|threshold_state:row.quota_bytes }}
    {% include "dashboard/includes/pagination.html" with page_obj=page_obj %}

Lists wrap their table in ``<div id="results">`` (the default htmx target here).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from inventory import thresholds
from inventory.templatetags.capacity import percent as format_percent

register = template.Library()

#: The element every list's table partial is swapped into.
DEFAULT_TARGET = "#results"
#: The query parameter lists sort by (django-filter OrderingFilter named ``sort``).
SORT_PARAM = "sort"


#: The badge after the percentage, per threshold state.
_STATE_BADGES = {
    "over": ' <span class="badge badge-over">over quota</span>',
    "critical": ' <span class="badge badge-critical">critical</span>',
    "warning": ' <span class="badge badge-warning">warning</span>',
}
_NO_USAGE_BAR = mark_safe('<span class="bar bar-none muted">no usage reported</span>')


@register.simple_tag
def usage_bar(
    used,
    quota,
    warning=thresholds.DEFAULT_WARNING,
    critical=thresholds.DEFAULT_CRITICAL,
    *,
    percent=None,
    label="of quota used",
):
    """An inline-SVG bar of used ÷ quota coloured at the thresholds, plus the percentage as text.

    Pass ``percent`` when SQL already computed it (lists do); otherwise it is worked out here
    from the two byte counts. The bar is capped at full width; over 100 % it turns "over".

    Built as a string rather than an inclusion tag: lists draw one bar per row, and rendering
    a template per bar was most of a list page's template time.
    """
    warning = thresholds.DEFAULT_WARNING if warning in (None, "") else int(warning)
    critical = thresholds.DEFAULT_CRITICAL if critical in (None, "") else int(critical)
    state = thresholds.threshold_state(used, quota, warning, critical)
    if percent is None:
        percent = thresholds.used_percent(used, quota)
    if percent is None:
        return _NO_USAGE_BAR
    percent = Decimal(str(percent)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    width = min(max(percent, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))
    over = state == "over"
    fill = "fill" if state == "ok" else f"fill fill-{state}"
    lines = (
        ""
        if over
        else f'<line class="threshold" x1="{warning}%" x2="{warning}%" y1="0" y2="100%"/>'
        f'<line class="threshold" x1="{critical}%" x2="{critical}%" y1="0" y2="100%"/>'
    )
    aria_label = f"{percent} % {conditional_escape(label)}{' (over quota)' if over else ''}"
    return mark_safe(
        f'<span class="bar bar-{state}"><svg role="img" aria-label="{aria_label}" focusable="false"'
        f' preserveAspectRatio="none"><rect x="0" y="0" height="100%" width="{width}%" class="{fill}"/>{lines}'
        f'</svg><span class="bar-text num">{format_percent(percent)}</span>{_STATE_BADGES.get(state, "")}</span>'
    )


@register.filter
def threshold_state(used, quota) -> str:
    """``ok`` / ``warning`` / ``critical`` / ``over`` / ``none`` with the default thresholds."""
    return thresholds.threshold_state(used, quota)


@register.simple_tag
def state_label(state: str) -> str:
    """The human label of a threshold state ("Over quota" for ``over``)."""
    return dict(thresholds.STATE_CHOICES).get(state, state)


@register.simple_tag(takes_context=True)
def sort_header(context, label, field, *, numeric=False, first="asc", target=DEFAULT_TARGET, param=SORT_PARAM):
    """A ``<th>`` whose link sorts by *field*, keeping every other query parameter except the page.

    Clicking the current column reverses it; a new column starts ascending (``first="desc"`` for
    figures where the largest matters most). ``aria-sort`` marks the current column. (A string,
    not an inclusion tag: a list has up to ten of these.)
    """
    request = context["request"]
    current = request.GET.get(param, "")
    if current == field:
        direction, next_value = "ascending", f"-{field}"
    elif current == f"-{field}":
        direction, next_value = "descending", field
    else:
        direction, next_value = None, f"-{field}" if first == "desc" else field
    query = request.GET.copy()
    query[param] = next_value
    query.pop("page", None)
    url = f"?{query.urlencode()}"
    return format_html(
        '<th scope="col"{}{}><a href="{}" hx-get="{}" hx-target="{}" hx-push-url="true">{}</a></th>',
        mark_safe(' class="num"') if numeric else "",
        format_html(' aria-sort="{}"', direction) if direction else "",
        url,
        url,
        target,
        label,
    )


@register.filter
def signed_prefix(value) -> str:
    """ "+" for a positive number (growth), "" otherwise: capacity filters already print "-"."""
    try:
        return "+" if value is not None and value > 0 else ""
    except TypeError:
        return ""
