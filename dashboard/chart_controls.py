"""The controls above a usage chart: its period (``?range=``) and split (``?split=``), with and without htmx.

Every control is a plain link (``href``) that also carries ``hx-get`` to the same URL: without JavaScript the
whole page reloads with the new period; with htmx only the chart's block is swapped (the request names it in
``HX-Target``) and the URL is pushed, so Back and a reload show the same chart. A value that is not one of
the choices is not a 500: the chart keeps its default and says which values exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

#: (value of ?range=, label, days; None: everything the rollups hold).
RANGES = (
    ("30d", gettext_lazy("30 days"), 30),
    ("90d", gettext_lazy("90 days"), 90),
    ("1y", gettext_lazy("1 year"), 365),
    ("all", pgettext_lazy("period", "All"), None),
)
DEFAULT_RANGE = "90d"
#: (value of ?split=, label); "" is the total alone.
SPLITS = {"": gettext_lazy("Total"), "project": gettext_lazy("By project"), "pool": gettext_lazy("By pool")}
CHART_TEMPLATE = "dashboard/includes/chart.html"
_CURRENT = ' aria-current="true"'


@dataclass(frozen=True)
class ControlLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class ChartOptions:
    """What the request asked the chart for, and the links to every other choice."""

    target: str  # the id of the element htmx swaps: "<chart_id>-block"
    range: str
    days: int | None
    range_label: str
    split: str
    ranges: list[ControlLink] = field(default_factory=list)
    splits: list[ControlLink] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def range_items(self) -> str:
        """The period links as ``<li>`` markup (the chart's template looped over them with five lookups each)."""
        return self._items(self.ranges)

    @property
    def split_items(self) -> str:
        """The split links as ``<li>`` markup."""
        return self._items(self.splits)

    def _items(self, links: list[ControlLink]) -> str:
        target = escape(self.target)
        return mark_safe(  # noqa: S308 - every URL and label is escaped
            "".join(
                f'<li><a href="{escape(link.url)}" hx-get="{escape(link.url)}" hx-target="#{target}"'
                f' hx-swap="outerHTML" hx-push-url="true"{_CURRENT if link.current else ""}>{escape(str(link.label))}</a></li>'
                for link in links
            )
        )

    @property
    def period_text(self) -> str:
        if self.days is None:
            return _("all reported days")
        return {
            30: _("last 30 days"),
            90: _("last 90 days"),
            365: _("last 1 year"),
        }.get(self.days, _("last %(days)d days") % {"days": self.days})


def _link(request: HttpRequest, param: str, value: str, label: str, current: bool) -> ControlLink:
    query = request.GET.copy()
    if value:
        query[param] = value
    else:
        query.pop(param, None)
    return ControlLink(label, f"?{query.urlencode()}" if query else request.path, current)


def chart_options(request: HttpRequest, *, chart_id: str, splits: tuple[str, ...] = ()) -> ChartOptions:
    """Read ``?range=`` and (where the chart offers them) ``?split=`` from *request*; bad values fall back."""
    errors = []
    by_key = {key: (label, days) for key, label, days in RANGES}
    range_key = request.GET.get("range", DEFAULT_RANGE) or DEFAULT_RANGE
    if range_key not in by_key:
        choices = ", ".join(f"“{key}”" for key, _, _ in RANGES)
        errors.append(
            _("Period: “%(value)s” is not one of %(choices)s; showing %(default)s.")
            % {"value": range_key, "choices": choices, "default": by_key[DEFAULT_RANGE][0]}
        )
        range_key = DEFAULT_RANGE
    offered = ("", *splits) if splits else ()
    split = request.GET.get("split", "")
    if split not in offered:
        if split:
            choices = ", ".join(f"“{key}”" for key in offered if key) or _("none")
            errors.append(
                _("Split: “%(value)s” is not one of %(choices)s; showing the total.")
                % {"value": split, "choices": choices}
            )
        split = ""
    return ChartOptions(
        target=f"{chart_id}-block",
        range=range_key,
        days=by_key[range_key][1],
        range_label=by_key[range_key][0],
        split=split,
        ranges=[_link(request, "range", key, label, key == range_key) for key, label, _ in RANGES],
        splits=[_link(request, "split", key, SPLITS[key], key == split) for key in offered],
        errors=errors,
    )


def wants_chart_only(request: HttpRequest, options: ChartOptions) -> bool:
    """htmx asked for this chart's block alone (a control was used); history restores get the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == options.target


def render_chart(request: HttpRequest, chart, options: ChartOptions) -> HttpResponse:
    """The chart's block alone, for htmx; ``Vary`` keeps it apart from the page in caches."""
    response = render(request, CHART_TEMPLATE, {"chart": chart, "options": options})
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
