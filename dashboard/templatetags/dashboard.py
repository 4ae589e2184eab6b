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

from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from dashboard.ages import report_age
from dashboard.forecast import DEFAULT_WINDOW_DAYS
from dashboard.html import html_format
from dashboard.templatetags.forecast import days_until_full
from inventory import thresholds
from inventory.models import StorageArray
from inventory.templatetags.capacity import capacity_title, capacity_units, localize_number_text
from inventory.templatetags.capacity import percent as format_percent

register = template.Library()

#: The element every list's table partial is swapped into.
DEFAULT_TARGET = "#results"
#: The query parameter lists sort by (django-filter OrderingFilter named ``sort``).
SORT_PARAM = "sort"


#: The badge after the percentage, per threshold state (its text in the active language).
_STATE_BADGES = {
    "over": gettext_lazy("over quota"),
    "critical": gettext_lazy("critical"),
    "warning": gettext_lazy("warning"),
}


def _state_badge(state: str) -> str:
    text = _STATE_BADGES.get(state)
    return f' <span class="badge badge-{state}">{conditional_escape(text)}</span>' if text else ""


def _no_usage_bar() -> str:
    return html_format('<span class="bar bar-none muted">{}</span>', _("no usage reported"))


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

    Built as a string rather than an inclusion tag: lists draw one bar per row, and rendering
    a template per bar was most of a list page's template time.
    """
    warning = thresholds.DEFAULT_WARNING if warning in (None, "") else int(warning)
    critical = thresholds.DEFAULT_CRITICAL if critical in (None, "") else int(critical)
    state = thresholds.threshold_state(used, quota, warning, critical)
    if percent is None:
        percent = thresholds.used_percent(used, quota)
    if label is None:
        label = _("of quota used")
    if percent is None:
        return _no_usage_bar()
    percent = thresholds.shown_percent(percent, state, warning, critical)  # never rounded into another state
    width = min(max(percent, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))
    over = state == "over"
    fill = "fill" if state == "ok" else f"fill fill-{state}"
    lines = (
        ""
        if over
        else f'<line class="threshold" x1="{warning}%" x2="{warning}%" y1="0" y2="100%"/>'
        f'<line class="threshold" x1="{critical}%" x2="{critical}%" y1="0" y2="100%"/>'
    )
    aria_label = f"{localize_number_text(str(percent))} % {conditional_escape(label)}"
    if over:
        aria_label += f" ({conditional_escape(_('over quota'))})"
    return mark_safe(
        f'<span class="bar bar-{state}"><svg role="img" aria-label="{aria_label}" focusable="false"'
        f' preserveAspectRatio="none"><rect x="0" y="0" height="100%" width="{width}%" class="{fill}"/>{lines}'
        f'</svg><span class="bar-text num">{format_percent(percent)}</span>{_state_badge(state)}</span>'
    )


def _capacity_cell(value, binary, classes="num opt") -> str:
    return html_format(
        '<td class="{}" title="{}">{}</td>', classes, capacity_title(value), capacity_units(value, binary)
    )


def _quota_cell(allocation, binary) -> str:
    """The quota, and any quota drift: the storage system enforcing another hard limit than promised."""
    enforced = allocation.enforced_quota_bytes
    if enforced is None or enforced == allocation.quota_bytes:
        return _capacity_cell(allocation.quota_bytes, binary)
    return html_format(
        '<td class="num opt" title="{}">{}<br><span class="badge badge-drift" title="{}">{}</span></td>',
        capacity_title(allocation.quota_bytes),
        capacity_units(allocation.quota_bytes, binary),
        _("Quota drift: the storage system's own hard limit differs from the promised quota."),
        _("array enforces %(limit)s") % {"limit": capacity_units(enforced, binary)},
    )


def _quota_full_note(allocation) -> str:
    """ "Quota full in 41 days" under the bar, from the allocation's forecast (dashboard/forecast.py), if filling."""
    forecast = getattr(allocation, "quota_forecast", None)
    if forecast is None or forecast.days_until_full is None or allocation.status != "active":
        return ""
    days = forecast.days_until_full
    if days == 0:
        return html_format('<br><span class="quota-full muted">{}</span>', _("quota full now"))
    return html_format(
        '<br><span class="quota-full muted" title="{}">{}</span>',
        _("At the growth of the last %(days)d days (a straight line fitted to its daily usage)")
        % {"days": DEFAULT_WINDOW_DAYS},
        # "quota full in 41 days": days_until_full gives the "in 41 days" part.
        _("quota full %(when)s") % {"when": days_until_full(days)},
    )


def _pool_cell(pool, pool_column: str) -> str:
    """The pool as a link to its page: "array / pool", or the pool alone on a page scoped to one array."""
    url = reverse("dashboard:pool-detail", kwargs={"array": pool.array.slug, "pool": pool.slug})
    if pool_column == "pool":
        return html_format('<td class="opt"><a href="{}">{}</a></td>', url, pool.name)
    return html_format('<td class="opt"><a href="{}">{} / {}</a></td>', url, pool.array.name, pool.name)


def _status_cell(allocation) -> str:
    """The status badge and the link to the allocation's own page (all its figures, history and chart)."""
    return html_format(
        '<td><span class="badge badge-{}">{}</span> <a class="row-detail" href="{}">{}'
        '<span class="visually-hidden"> {}</span></a></td>',
        allocation.status,
        allocation.get_status_display(),
        reverse("dashboard:allocation-detail", kwargs={"pk": allocation.pk}),
        _("details"),
        _("of %(project)s on %(pool)s") % {"project": allocation.project.code, "pool": allocation.pool.name},
    )


@register.simple_tag
def allocation_row(
    allocation, *, show_project=False, show_team=False, pool_column="full", staff=False, binary=False, now=None
):
    """One ``<tr>`` of an allocation table (dashboard/allocations/_table.html has the header).

    *pool_column*: ``"full"`` (array / pool), ``"pool"`` (on an array's page) or ``"none"`` (on a
    pool's page, where every row would repeat it). Cells marked ``opt`` are hidden on phones; the
    "details" link leads to all of them. Built as a string: a table template with ~35 variables,
    filters and tags per row was the slowest part of the list pages (bench/ANALYSIS.md). Needs the
    rows of dashboard.selectors.allocations.allocation_rows (project, team, pool and array joined,
    ``used_percent``; requester joined for staff).
    """
    now = now or timezone.now()
    cells = []
    if show_project:
        project = allocation.project
        cells.append(
            html_format(
                '<th scope="row"><a href="{}">{}</a><br><span class="muted">{}</span></th>',
                project.get_absolute_url(),
                project.code,
                Truncator(project.title).chars(40),
            )
        )
    if show_team:
        team = allocation.project.team
        cells.append(html_format('<td class="opt"><a href="{}">{}</a></td>', team.get_absolute_url(), team.name))
    pool = allocation.pool
    if pool_column != "none":
        cells.append(_pool_cell(pool, pool_column))
    cells.append(_status_cell(allocation))
    cells.append(_quota_cell(allocation, binary))
    cells.append(_capacity_cell(allocation.used_bytes, binary))
    bar = usage_bar(
        allocation.used_bytes,
        allocation.quota_bytes,
        pool.warning_threshold,
        pool.critical_threshold,
        percent=allocation.used_percent,
    )
    cells.append(html_format("<td>{}{}</td>", bar, _quota_full_note(allocation)))
    end_date = allocation.end_date
    cells.append(html_format('<td class="nowrap opt">{}</td>', end_date.isoformat() if end_date else "—"))
    cells.append(html_format('<td class="nowrap opt">{}</td>', report_age(allocation, now=now)))
    if staff:
        requester = allocation.requested_by
        cells.append(
            html_format(
                '<td class="opt">{}</td>', (requester.get_full_name() or requester.username) if requester else "—"
            )
        )
        cells.append(
            html_format(
                '<td class="staff-only opt justification">{}</td>', Truncator(allocation.justification or "—").chars(60)
            )
        )
    return mark_safe(f"<tr>{''.join(cells)}</tr>")


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
    "none" in muted text at 0. A team's or project's overall percentage can hide one full allocation."""
    if not count:
        return html_format('<span class="muted">{}</span>', _("none"))
    badge = html_format(
        '<span class="badge badge-over" title="{}">{}</span>',
        ngettext(
            "%(count)s allocation using more than the quota", "%(count)s allocations using more than the quota", count
        )
        % {"count": count},
        _("%(count)s over quota") % {"count": count},
    )
    return html_format('<a href="{}">{}</a>', url, badge) if url else badge


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
