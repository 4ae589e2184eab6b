"""Rows of the capacity-figures and attention tables (overview, storage pages), built as strings.

    {% load figure_rows %}
    {% figures_row row kind binary_units within_array=True forecasts=True %}
    {% attention_row allocation binary_units show_end=True %}
    {% top_team_row team binary_units %}
    {% pending_request_row allocation binary_units %}
    {% nearing_full_row pool binary_units %}

The tables' headers stay in their templates (dashboard/storage/_figures_table.html, _attention_table.html);
each row is one tag. A row template with a dozen filters, four ``{% url %}`` tags and a translation per row
was most of the overview's template time, as it was for the allocation lists (dashboard.allocation_row).
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dashboard.html import html_format
from dashboard.links import page_url
from dashboard.rows import UsageBars
from dashboard.templatetags.dashboard import lifecycle_label, tier_name
from dashboard.templatetags.forecast import days_until_full, full_on, ratio
from inventory.templatetags.capacity import LocalNumbers

register = template.Library()


class _TableText:
    """What the rows of one table share: the language's number format, the bars' labels and badges and the
    rows' link texts, looked up by the table's first row (a tag per row made each of them again per row)."""

    def __init__(self) -> None:
        self.numbers = LocalNumbers()
        self.bars = UsageBars(self.numbers)

    @cached_property
    def details(self) -> tuple[str, str]:
        return _("details"), _("of %(project)s on %(pool)s")

    @cached_property
    def bar_labels(self) -> tuple[str, str]:
        """The labels of a figures row's two bars: allocated, and used."""
        return _("of allowed allocated"), _("of usable used")


def _table_text(context) -> _TableText:
    """The _TableText of the template being rendered (each table's template, or include, has its own)."""
    text = context.render_context.get(_TableText)
    if text is None:
        text = context.render_context[_TableText] = _TableText()
    return text


def _capacity_cell(value, binary, numbers: LocalNumbers) -> str:
    """As ``title="{{ value|capacity_title }}"`` and ``{{ value|capacity_units:binary }}``."""
    return html_format(
        '<td class="num" title="{}">{}</td>', numbers.byte_count(value), numbers.capacity(value, binary=bool(binary))
    )


def _figures_head(row: dict, kind: str) -> str:
    """The row's header cell: the site's name, or a link to the array's or pool's page."""
    if kind == "site":
        return html_format('<th scope="row">{}</th>', row["site_name"])
    if kind == "array":
        status = row["lifecycle_status"]
        badge = (
            html_format(' <span class="badge badge-{}">{}</span>', status, lifecycle_label(status))
            if status != "active"
            else ""
        )
        url = page_url("dashboard:array-detail", array=row["array_slug"])
        return html_format('<th scope="row"><a href="{}">{}</a>{}</th>', url, row["array_name"], badge)
    url = page_url("dashboard:pool-detail", array=row["array_slug"], pool=row["pool_slug"])
    return html_format(
        '<th scope="row"><a href="{}">{}</a> <span class="muted">{}</span></th>',
        url,
        row["pool_name"],
        tier_name(row["tier"]),
    )


@register.simple_tag(takes_context=True)
def figures_row(context, row: dict, kind: str, binary=False, *, within_array=False, forecasts=False):
    """One ``<tr>`` of a site, array or pool's capacity figures (a row of dashboard.selectors.storage).

    *within_array*: the page is the array's own, so pools leave out the array column; *forecasts* adds
    oversubscription, data reduction and days until full (the row needs ``forecast``).
    """
    cells = [_figures_head(row, kind)]
    if kind == "pool" and not within_array:
        url = page_url("dashboard:array-detail", array=row["array_slug"])
        cells.append(html_format('<td><a href="{}">{}</a></td>', url, row["array_name"]))
    text = _table_text(context)
    numbers, (allocated_label, used_label) = text.numbers, text.bar_labels
    warning, critical = row["warning_threshold"], row["critical_threshold"]
    allocated_bar = text.bars.bar(
        row["allocated_bytes"],
        row["allocatable_bytes"],
        warning,
        critical,
        percent=row["allocated_percent"],
        label=allocated_label,
    )
    if row["nearly_overcommitted"]:
        allocated_bar += html_format(' <span class="badge badge-over">{}</span>', _("nearly overcommitted"))
    used_bar = text.bars.bar(
        row["physical_used_bytes"],
        row["usable_bytes"],
        warning,
        critical,
        percent=row["used_percent"],
        label=used_label,
    )
    cells += [
        _capacity_cell(row["usable_bytes"], binary, numbers),
        _capacity_cell(row["allocated_bytes"], binary, numbers),
        f"<td>{allocated_bar}</td>",
        _capacity_cell(row["physical_used_bytes"], binary, numbers),
        f"<td>{used_bar}</td>",
        _capacity_cell(row["free_bytes"], binary, numbers),
    ]
    if forecasts:
        forecast = row.get("forecast")
        cells += [
            html_format('<td class="num">{}</td>', ratio(row["oversubscription"])),
            html_format('<td class="num">{}</td>', ratio(row["reduction_ratio"])),
            html_format(
                '<td class="forecast">{}</td>', days_until_full(forecast.days_until_full if forecast else None)
            ),
        ]
    return mark_safe(f"<tr>{''.join(cells)}</tr>")


@register.simple_tag(takes_context=True)
def attention_row(context, allocation, binary=False, *, show_end=False):
    """One ``<tr>`` of an overview list of allocations (project, team, pool, end, used, quota, bar).

    Needs the rows of dashboard.selectors.overview.attention_lists (project, team, pool and array joined,
    ``used_percent``).
    """
    text = _table_text(context)
    details, details_of = text.details
    project, pool = allocation.project, allocation.pool
    team, array = project.team, pool.array
    cells = [
        html_format(
            '<th scope="row"><a href="{}">{}</a> <a class="row-detail" href="{}">{}'
            '<span class="visually-hidden"> {}</span></a></th>',
            page_url("dashboard:project-detail", code=project.code),
            project.code,
            page_url("dashboard:allocation-detail", pk=allocation.pk),
            details,
            details_of % {"project": project.code, "pool": pool.name},
        ),
        html_format('<td><a href="{}">{}</a></td>', page_url("dashboard:team-detail", slug=team.slug), team.name),
        html_format(
            '<td><a href="{}">{} / {}</a></td>',
            page_url("dashboard:pool-detail", array=array.slug, pool=pool.slug),
            array.name,
            pool.name,
        ),
    ]
    if show_end:
        end = allocation.end_date
        cells.append(html_format("<td>{}</td>", end.isoformat() if end else ""))
    bar = text.bars.bar(
        allocation.used_bytes,
        allocation.quota_bytes,
        pool.warning_threshold,
        pool.critical_threshold,
        percent=allocation.used_percent,
    )
    cells += [
        _capacity_cell(allocation.used_bytes, binary, text.numbers),
        _capacity_cell(allocation.quota_bytes, binary, text.numbers),
        f"<td>{bar}</td>",
    ]
    return mark_safe(f"<tr>{''.join(cells)}</tr>")


@register.simple_tag(takes_context=True)
def top_team_row(context, team, binary=False):
    """One ``<tr>`` of the overview's teams using most (dashboard.selectors.overview.top_teams)."""
    text = _table_text(context)
    return mark_safe(
        html_format(
            '<tr><th scope="row"><a href="{}">{}</a></th>', page_url("dashboard:team-detail", slug=team.slug), team.name
        )
        + _capacity_cell(team.used_bytes, binary, text.numbers)
        + _capacity_cell(team.allocated_bytes, binary, text.numbers)
        + f"<td>{text.bars.bar(team.used_bytes, team.allocated_bytes, percent=team.used_percent)}</td></tr>"
    )


@register.simple_tag(takes_context=True)
def pending_request_row(context, allocation, binary=False):
    """One ``<tr>`` of the overview's requests waiting for approval (staff), with a link to review it."""
    text = _table_text(context)
    details, details_of = text.details
    project, pool = allocation.project, allocation.pool
    requester = allocation.requested_by
    requested_by = (requester.get_full_name() or requester.username) if requester else "—"
    cells = [
        html_format(
            '<th scope="row"><a href="{}">{}</a> <span class="muted">{}</span> <a class="row-detail" href="{}">{}'
            '<span class="visually-hidden"> {}</span></a></th>',
            page_url("dashboard:project-detail", code=project.code),
            project.code,
            project.team.name,
            page_url("dashboard:allocation-detail", pk=allocation.pk),
            details,
            details_of % {"project": project.code, "pool": pool.name},
        ),
        html_format(
            '<td><a href="{}">{} / {}</a></td>',
            page_url("dashboard:pool-detail", array=pool.array.slug, pool=pool.slug),
            pool.array.name,
            pool.name,
        ),
        _capacity_cell(allocation.quota_bytes, binary, text.numbers),
        html_format("<td>{}</td>", requested_by),
        html_format("<td>{}</td>", timezone.localtime(allocation.created_at).date().isoformat()),
        html_format(
            '<td><a href="{}">{}</a></td>',
            page_url("admin:inventory_allocation_change", object_id=allocation.pk),
            _("Review"),
        ),
    ]
    return mark_safe(f"<tr>{''.join(cells)}</tr>")


@register.simple_tag(takes_context=True)
def nearing_full_row(context, pool: dict, binary=False):
    """One ``<tr>`` of the overview's pools nearing full: a figures row with its ``forecast`` (dashboard.forecast)."""
    text = _table_text(context)
    forecast = pool["forecast"]
    days = forecast.days_until_full
    bar = text.bars.bar(
        pool["physical_used_bytes"],
        pool["usable_bytes"],
        pool["warning_threshold"],
        pool["critical_threshold"],
        percent=pool["used_percent"],
        label=text.bar_labels[1],
    )
    on = full_on(days)
    about = (
        html_format(' <span class="muted">({})</span>', _("about %(date)s") % {"date": date_filter(on, _("j M Y"))})
        if on
        else ""
    )
    cells = [
        html_format(
            '<th scope="row"><a href="{}">{} / {}</a></th>',
            page_url("dashboard:pool-detail", array=pool["array_slug"], pool=pool["pool_slug"]),
            pool["array_name"],
            pool["pool_name"],
        ),
        f"<td>{bar}</td>",
        html_format(
            '<td class="num">{}</td>', text.numbers.capacity(forecast.growth_bytes_per_day, binary=bool(binary))
        ),
        _capacity_cell(pool["free_bytes"], binary, text.numbers),
        html_format('<td class="forecast">{}{}</td>', days_until_full(days), about),
    ]
    return mark_safe(f"<tr>{''.join(cells)}</tr>")
