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

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from dashboard.html import html_format
from dashboard.links import page_url as _page_url
from dashboard.rows import AllocationRows, BreakdownRows, OverQuotaBadges, UsageBars, member_list
from inventory import thresholds
from inventory.models import StorageArray

register = template.Library()

#: The element every list's table partial is swapped into.
DEFAULT_TARGET = "#results"
#: The query parameter lists sort by (django-filter OrderingFilter named ``sort``).
SORT_PARAM = "sort"


@register.simple_tag
def usage_bar(
    used,
    quota,
    warning=thresholds.DEFAULT_WARNING,
    critical=thresholds.DEFAULT_CRITICAL,
    *,
    percent=None,
    label=None,
):
    """An inline-SVG bar of used ÷ quota coloured at the thresholds, plus the percentage as text.

    Pass ``percent`` when SQL already computed it (lists do); otherwise it is worked out here
    from the two byte counts. The bar is capped at full width; over 100 % it turns "over".

    Built as a string rather than an inclusion tag (dashboard.rows.UsageBars): lists draw one bar per
    row, and rendering a template per bar was most of a list page's template time.
    """
    return UsageBars().bar(used, quota, warning, critical, percent=percent, label=label)


@register.simple_tag
def allocation_row(
    allocation, *, show_project=False, show_team=False, pool_column="full", staff=False, binary=False, now=None
):
    """One ``<tr>`` of an allocation table (dashboard/allocations/_table.html has the header): see
    dashboard.rows.AllocationRows, and allocation_rows for a whole table's rows."""
    rows = AllocationRows(
        show_project=show_project, show_team=show_team, pool_column=pool_column, staff=staff, binary=binary, now=now
    )
    return rows.row(allocation)


@register.simple_tag
def allocation_rows(
    allocations, *, show_project=False, show_team=False, pool_column="full", staff=False, binary=False, now=None
):
    """Every ``<tr>`` of an allocation table, for the allocations (or page) given: what the rows share (labels,
    number format, links, the moment ages are counted from) is looked up once for the table, not per row
    (dashboard.rows.AllocationRows)."""
    rows = AllocationRows(
        show_project=show_project, show_team=show_team, pool_column=pool_column, staff=staff, binary=binary, now=now
    )
    return mark_safe("".join(rows.row(allocation) for allocation in allocations))  # noqa: S308 - rows are escaped


#: A pool's tier in a table cell: its short name (the model's labels add the media, "Performance (flash)").
_TIER_NAMES = {
    "performance": pgettext_lazy("tier", "Performance"),
    "capacity": pgettext_lazy("tier", "Capacity"),
    "scratch": pgettext_lazy("tier", "Scratch"),
    "archive": pgettext_lazy("tier", "Archive"),
}


@register.filter
def tier_name(value) -> str:
    """ "performance" -> "Performance" in the active language (rows from SQL carry the stored value)."""
    return str(_TIER_NAMES.get(value, str(value).capitalize()))


@register.filter
def lifecycle_label(value) -> str:
    """An array's lifecycle status as people read it ("maintenance" -> "Maintenance"), the model's label."""
    labels = dict(StorageArray.Lifecycle.choices)
    return str(labels.get(value, str(value).capitalize()))


@register.filter
def threshold_state(used, quota) -> str:
    """``ok`` / ``warning`` / ``critical`` / ``over`` / ``none`` with the default thresholds."""
    return thresholds.threshold_state(used, quota)


@register.simple_tag
def over_quota_badge(count, url: str = "") -> str:
    """How many allocations are over quota, as a badge ("2 over quota"), linked to them when *url* is given;
    "none" in muted text at 0 (dashboard.rows.OverQuotaBadges)."""
    return OverQuotaBadges().badge(count, url)


@register.simple_tag
def breakdown_rows(rows, kind: str, *, binary=False):
    """The ``<tr>`` of a team page's per-project (*kind* "project") or per-pool ("pool") table: what the rows
    share is looked up once for the table (dashboard.rows.BreakdownRows)."""
    builder = BreakdownRows(binary=binary)
    draw = builder.project_row if kind == "project" else builder.pool_row
    return mark_safe("".join(draw(row) for row in rows))  # noqa: S308 - rows are escaped


@register.simple_tag
def member_items(members, *, staff=False):
    """A team page's members as ``<li>`` (dashboard.rows.member_list)."""
    return member_list(members, staff=staff)


@register.simple_tag
def state_label(state: str) -> str:
    """The human label of a threshold state ("Over quota" for ``over``)."""
    return dict(thresholds.STATE_CHOICES).get(state, state)


@register.simple_tag(takes_context=True)
def sort_header(
    context, label, field, *, numeric=False, first="asc", target=DEFAULT_TARGET, param=SORT_PARAM, classes=""
):
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
    return html_format(
        '<th scope="col"{}{}><a href="{}" hx-get="{}" hx-target="{}" hx-push-url="true">{}</a></th>',
        html_format(' class="{}"', " ".join(filter(None, ["num" if numeric else "", classes])))
        if numeric or classes
        else "",
        html_format(' aria-sort="{}"', direction) if direction else "",
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


@register.simple_tag
def not_reporting_note(count) -> str:
    """The note under a Used figure: how many active allocations it leaves out as not reporting."""
    if not count:
        return ""
    return html_format(
        '<dd class="stat-note not-reporting">{}</dd>',
        ngettext(
            "%(count)s active allocation not reporting (no usage in the last %(days)s days): not counted",
            "%(count)s active allocations not reporting (no usage in the last %(days)s days): not counted",
            count,
        )
        % {"count": count, "days": settings.CAPACITY_STALENESS_DAYS},
    )


@register.simple_tag
def page_url(name: str, **params) -> str:
    """``{% url %}`` for links every page draws (the header's menu, breadcrumbs): the same path from a pattern
    reversed once (dashboard.links), where ``{% url %}`` reverses on every call (about 20 links a page).

        {% page_url "dashboard:team-list" %}   {% page_url "dashboard:team-detail" slug=team.slug as team_url %}
    """
    return _page_url(name, **params)


@register.simple_tag
def breadcrumbs(*parts):
    """The trail above a page's heading (base.html's ``breadcrumbs`` block):

        {% breadcrumbs "Storage" storage_url array.name array_url pool.name %}

    label and URL pairs for the pages above, then the current page's own name (not a link).
    """
    *pairs, current = parts or ("",)
    items = [
        html_format('<li><a href="{}">{}</a></li>', url, label)
        for label, url in zip(pairs[::2], pairs[1::2], strict=True)
    ]
    items.append(html_format('<li><span aria-current="page">{}</span></li>', current))
    return html_format(
        '<nav aria-label="{}" class="breadcrumb"><ol>{}</ol></nav>', _("Breadcrumb"), mark_safe("".join(items))
    )
