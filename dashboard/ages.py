"""How long ago something happened, as pages say it ("3 h ago"), and whether a report is stale.

Tables show a report's age instead of its timestamp (the same moment on every row says nothing); the
exact moment stays in the ``<time>`` element's ``datetime`` and ``title``. Staleness is not defined
here: it is inventory.figures.is_reporting (``CAPACITY_STALENESS_DAYS``), the rule every figure uses.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from dashboard.html import html_format
from inventory.figures import is_reporting

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def age_text(moment: datetime.datetime, *, now: datetime.datetime) -> str:
    """ "just now", "12 min ago", "3 h ago" (up to two days), then "5 d ago"."""
    seconds = int((now - moment).total_seconds())
    if seconds < MINUTE:
        return _("just now")
    if seconds < HOUR:
        return _("%(minutes)d min ago") % {"minutes": seconds // MINUTE}
    if seconds < 2 * DAY:
        return _("%(hours)d h ago") % {"hours": seconds // HOUR}
    return _("%(days)d d ago") % {"days": seconds // DAY}


def is_stale(allocation, *, now: datetime.datetime) -> bool:
    """An active allocation whose latest usage is older than the staleness limit (not reporting)."""
    return allocation.status == "active" and not is_reporting(allocation.usage_measured_at, now=now)


def report_age(allocation, *, now: datetime.datetime) -> SafeString:
    """The age of the allocation's latest usage report, with a "stale" badge when it no longer counts."""
    measured = allocation.usage_measured_at
    if measured is None:
        return html_format('<span class="muted">{}</span>', _("never"))
    local = template_localtime(measured)
    html = html_format(
        '<time datetime="{}" title="{} UTC">{}</time>',
        measured.isoformat(),
        local.strftime("%Y-%m-%d %H:%M"),
        age_text(measured, now=now),
    )
    if is_stale(allocation, now=now):
        html = html_format(
            '{} <span class="badge badge-stale" title="{}">{}</span>',
            html,
            _("No usage report in the last %(days)d days: not counted") % {"days": settings.CAPACITY_STALENESS_DAYS},
            _("stale"),
        )
    return html


class ReportAges:
    """report_age for the rows of one table, counted from one moment: rows imported together share their
    report's moment, so each moment's cell (its age text, local time and stale badge) is made once."""

    def __init__(self, *, now: datetime.datetime) -> None:
        self.now = now
        self._cells: dict[tuple, SafeString] = {}

    def __call__(self, allocation) -> SafeString:
        # The cell depends on the moment (as written: its offset too) and, for the stale badge, the status.
        measured = allocation.usage_measured_at
        key = (measured, getattr(measured, "tzinfo", None), allocation.status)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = report_age(allocation, now=self.now)
        return cell
