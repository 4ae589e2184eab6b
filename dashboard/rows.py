"""The markup of rows that tables draw many times, built in Python for one whole table at a time.

Each builder is made once per table and looks up, once, what every row shares: the translated labels and
badges, the language's number format (inventory.templatetags.capacity.LocalNumbers), the links' URL
patterns (dashboard.links) and the moment "3 h ago" is counted from. Per row, only the row's own values
are formatted. (Rows drawn by template loops, and then by a tag per row that translated its labels and
reversed its links again, were most of the list and team pages' time: bench/ANALYSIS.md.)

The tags in dashboard/templatetags/dashboard.py draw with these: ``usage_bar`` one bar, ``allocation_rows``
a whole allocation table's rows; the team page's tables and member list the same way.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from dashboard.ages import ReportAges
from dashboard.forecast import DEFAULT_WINDOW_DAYS
from dashboard.html import Truncation, html_format
from dashboard.links import page_url
from dashboard.templatetags.forecast import days_until_full_text
from inventory import thresholds
from inventory.models import Allocation
from inventory.templatetags.capacity import LocalNumbers

#: The badge after the percentage, per threshold state (its text in the active language).
STATE_BADGES = {
    "over": gettext_lazy("over quota"),
    "critical": gettext_lazy("critical"),
    "warning": gettext_lazy("warning"),
}
_ZERO, _HUNDRED, _TENTH = Decimal(0), Decimal(100), Decimal("0.1")


class UsageBars:
    """Inline-SVG bars of used ÷ quota coloured at the thresholds, plus the percentage as text (usage_bar)."""

    def __init__(self, numbers: LocalNumbers | None = None) -> None:
        self.numbers = numbers or LocalNumbers()
        self._badges: dict[str, str] = {}

    def _badge(self, state: str) -> str:
        """The badge after the percentage, translated the first time a bar of the table is in that state."""
        badge = self._badges.get(state)
        if badge is None:
            text = STATE_BADGES.get(state)
            badge = self._badges[state] = (
                f' <span class="badge badge-{state}">{escape(str(text))}</span>' if text else ""
            )
        return badge

    @cached_property
    def _quota_label(self) -> str:
        return escape(_("of quota used"))

    @cached_property
    def _over_quota_note(self) -> str:
        return f" ({escape(_('over quota'))})"

    @cached_property
    def no_usage(self) -> SafeString:
        return html_format('<span class="bar bar-none muted">{}</span>', _("no usage reported"))

    def bar(
        self,
        used,
        quota,
        warning=thresholds.DEFAULT_WARNING,
        critical=thresholds.DEFAULT_CRITICAL,
        *,
        percent=None,
        label=None,
    ) -> SafeString:
        """The bar of *used* against *quota*; *percent* when SQL already computed it (lists do), else worked
        out here. The bar is capped at full width; over 100 % it turns "over"."""
        warning = thresholds.DEFAULT_WARNING if warning in (None, "") else int(warning)
        critical = thresholds.DEFAULT_CRITICAL if critical in (None, "") else int(critical)
        state = thresholds.threshold_state(used, quota, warning, critical)
        if percent is None:
            percent = thresholds.used_percent(used, quota)
        if percent is None:
            return self.no_usage
        percent = thresholds.shown_percent(percent, state, warning, critical)  # never rounded into another state
        width = min(max(percent, _ZERO), _HUNDRED).quantize(_TENTH)
        fill = "fill" if state == "ok" else f"fill fill-{state}"
        label = self._quota_label if label is None else conditional_escape(label)
        aria_label = f"{self.numbers.number_text(str(percent))} % {label}"
        if state == "over":
            aria_label += self._over_quota_note
            lines = ""
        else:
            lines = (
                f'<line class="threshold" x1="{warning}%" x2="{warning}%" y1="0" y2="100%"/>'
                f'<line class="threshold" x1="{critical}%" x2="{critical}%" y1="0" y2="100%"/>'
            )
        return mark_safe(  # noqa: S308 - the label is escaped, the rest are numbers and fixed words
            f'<span class="bar bar-{state}"><svg role="img" aria-label="{aria_label}" focusable="false"'
            f' preserveAspectRatio="none"><rect x="0" y="0" height="100%" width="{width}%" class="{fill}"/>{lines}'
            f'</svg><span class="bar-text num">{self.numbers.percent(percent)}</span>'
            f"{self._badge(state)}</span>"
        )


class AllocationRows:
    """The ``<tr>`` of each allocation of a table (dashboard/allocations/_table.html has the header).

    *pool_column*: ``"full"`` (array / pool), ``"pool"`` (on an array's page) or ``"none"`` (on a pool's
    page, where every row would repeat it). Cells marked ``opt`` are hidden on phones; the "details" link
    leads to all of them. Needs the rows of dashboard.selectors.allocations.allocation_rows (project, team,
    pool and array joined, ``used_percent``; requester joined for staff).
    """

    def __init__(
        self, *, show_project=False, show_team=False, pool_column="full", staff=False, binary=False, now=None
    ) -> None:
        self.show_project, self.show_team, self.pool_column, self.staff = show_project, show_team, pool_column, staff
        self.binary = binary
        self.numbers = LocalNumbers()
        self.bars = UsageBars(self.numbers)
        self.ages = ReportAges(now=now or timezone.now())
        self.statuses = {value: str(label) for value, label in Allocation.Status.choices}
        self.truncation = Truncation()

    def row(self, allocation) -> SafeString:
        cells = []
        if self.show_project:
            cells.append(self._project_cell(allocation.project))
        if self.show_team:
            team = allocation.project.team
            cells.append(
                html_format(
                    '<td class="opt"><a href="{}">{}</a></td>',
                    page_url("dashboard:team-detail", slug=team.slug),
                    team.name,
                )
            )
        pool = allocation.pool
        if self.pool_column != "none":
            cells.append(self._pool_cell(pool))
        cells.append(self._status_cell(allocation))
        cells.append(self._quota_cell(allocation))
        cells.append(self._capacity_cell(allocation.used_bytes))
        bar = self.bars.bar(
            allocation.used_bytes,
            allocation.quota_bytes,
            pool.warning_threshold,
            pool.critical_threshold,
            percent=allocation.used_percent,
        )
        cells.append(f"<td>{bar}{self._quota_full_note(allocation)}</td>")
        end_date = allocation.end_date
        cells.append(f'<td class="nowrap opt">{end_date.isoformat() if end_date else "—"}</td>')
        cells.append(f'<td class="nowrap opt">{self.ages(allocation)}</td>')
        if self.staff:
            cells.append(self._staff_cells(allocation))
        return mark_safe(f"<tr>{''.join(cells)}</tr>")  # noqa: S308 - every cell escapes its values

    def _project_cell(self, project) -> SafeString:
        return html_format(
            '<th scope="row"><a href="{}">{}</a><br><span class="muted">{}</span></th>',
            page_url("dashboard:project-detail", code=project.code),
            project.code,
            self.truncation.chars(project.title, 40),
        )

    def _pool_cell(self, pool) -> SafeString:
        """The pool as a link to its page: "array / pool", or the pool alone on a page scoped to one array."""
        array = pool.array
        url = page_url("dashboard:pool-detail", array=array.slug, pool=pool.slug)
        if self.pool_column == "pool":
            return html_format('<td class="opt"><a href="{}">{}</a></td>', url, pool.name)
        return html_format('<td class="opt"><a href="{}">{} / {}</a></td>', url, array.name, pool.name)

    @cached_property
    def _details(self) -> tuple[str, str]:
        return _("details"), _("of %(project)s on %(pool)s")

    def _status_cell(self, allocation) -> SafeString:
        """The status badge and the link to the allocation's own page (all its figures, history and chart)."""
        details, details_of = self._details
        status = allocation.status
        return html_format(
            '<td><span class="badge badge-{}">{}</span> <a class="row-detail" href="{}">{}'
            '<span class="visually-hidden"> {}</span></a></td>',
            status,
            self.statuses.get(status, status),
            page_url("dashboard:allocation-detail", pk=allocation.pk),
            details,
            details_of % {"project": allocation.project.code, "pool": allocation.pool.name},
        )

    def _capacity_cell(self, value) -> SafeString:
        numbers = self.numbers
        return html_format(
            '<td class="num opt" title="{}">{}</td>',
            numbers.byte_count(value),
            numbers.capacity(value, binary=self.binary),
        )

    def _quota_cell(self, allocation) -> SafeString:
        """The quota, and any quota drift: the storage system enforcing another hard limit than promised."""
        enforced, quota = allocation.enforced_quota_bytes, allocation.quota_bytes
        if enforced is None or enforced == quota:
            return self._capacity_cell(quota)
        numbers = self.numbers
        drift, enforces = self._drift_texts
        return html_format(
            '<td class="num opt" title="{}">{}<br><span class="badge badge-drift" title="{}">{}</span></td>',
            numbers.byte_count(quota),
            numbers.capacity(quota, binary=self.binary),
            drift,
            enforces % {"limit": numbers.capacity(enforced, binary=self.binary)},
        )

    @cached_property
    def _drift_texts(self) -> tuple[str, str]:
        return (
            _("Quota drift: the storage system's own hard limit differs from the promised quota."),
            _("array enforces %(limit)s"),
        )

    @cached_property
    def _quota_full_texts(self) -> tuple[SafeString, str, str]:
        return (
            html_format('<br><span class="quota-full muted">{}</span>', _("quota full now")),
            _("At the growth of the last %(days)d days (a straight line fitted to its daily usage)")
            % {"days": DEFAULT_WINDOW_DAYS},
            # "quota full in 41 days": days_until_full gives the "in 41 days" part.
            _("quota full %(when)s"),
        )

    def _quota_full_note(self, allocation) -> str:
        """ "Quota full in 41 days" under the bar, from the allocation's forecast (dashboard/forecast.py), if filling."""
        forecast = getattr(allocation, "quota_forecast", None)
        if forecast is None or forecast.days_until_full is None or allocation.status != "active":
            return ""
        days = forecast.days_until_full
        full_now, title, full_when = self._quota_full_texts
        if days == 0:
            return full_now
        return html_format(
            '<br><span class="quota-full muted" title="{}">{}</span>',
            title,
            full_when % {"when": days_until_full_text(days, self.numbers)},
        )

    def _staff_cells(self, allocation) -> SafeString:
        """Who asked for it and why: staff only."""
        requester = allocation.requested_by
        return html_format(
            '<td class="opt">{}</td><td class="staff-only opt justification">{}</td>',
            (requester.get_full_name() or requester.username) if requester else "—",
            self.truncation.chars(allocation.justification or "—", 60),
        )


class OverQuotaBadges:
    """How many allocations are over quota, as a badge ("2 over quota"), linked to them when a URL is given;
    "none" in muted text at 0 (over_quota_badge). A team's or project's overall percentage can hide one full
    allocation."""

    @cached_property
    def _none(self) -> SafeString:
        return html_format('<span class="muted">{}</span>', _("none"))

    def badge(self, count, url: str = "") -> SafeString:
        if not count:
            return self._none
        badge = html_format(
            '<span class="badge badge-over" title="{}">{}</span>',
            ngettext(
                "%(count)s allocation using more than the quota",
                "%(count)s allocations using more than the quota",
                count,
            )
            % {"count": count},
            _("%(count)s over quota") % {"count": count},
        )
        return html_format('<a href="{}">{}</a>', url, badge) if url else badge


class BreakdownRows:
    """The rows of a team page's per-project and per-pool tables (dashboard.selectors.teams.team_breakdowns'
    dicts; the template has the headers)."""

    def __init__(self, *, binary=False) -> None:
        self.binary = binary
        self.numbers = LocalNumbers()
        self.bars = UsageBars(self.numbers)
        self.badges = OverQuotaBadges()
        self.truncation = Truncation()

    def _figures(self, row: dict, bar: str) -> SafeString:
        """Active allocations, allocated, used, the bar and the allocations over quota."""
        numbers, binary = self.numbers, self.binary
        allocated, used = row["allocated_bytes"], row["used_bytes"]
        return html_format(
            '<td class="num">{}</td><td class="num" title="{}">{}</td><td class="num" title="{}">{}</td>'
            '<td>{}</td><td class="num">{}</td>',
            numbers.count(row["allocation_count"]),
            numbers.byte_count(allocated),
            numbers.capacity(allocated, binary=binary),
            numbers.byte_count(used),
            numbers.capacity(used, binary=binary),
            bar,
            self.badges.badge(row["over_quota_count"]),
        )

    def _bar(self, row: dict) -> SafeString:
        return self.bars.bar(row["used_bytes"], row["allocated_bytes"], percent=row["used_percent"])

    @cached_property
    def _no_active_allocation(self) -> SafeString:
        return html_format('<span class="muted">{}</span>', _("no active allocation"))

    def project_row(self, project: dict) -> SafeString:
        """Code (linked) and title, principal investigator, status, then the figures."""
        return html_format(
            '<tr><th scope="row"><a href="{}">{}</a><br><span class="muted">{}</span></th><td>{}</td>'
            '<td><span class="badge">{}</span></td>{}</tr>',
            page_url("dashboard:project-detail", code=project["key"]),
            project["key"],
            self.truncation.chars(project["name"], 60),
            project["detail"],
            project["status_label"],
            # A project may have no active allocation; a pool here always has one (of quota 0 at least).
            self._figures(project, self._bar(project) if project["allocated_bytes"] else self._no_active_allocation),
        )

    def pool_row(self, pool: dict) -> SafeString:
        """ "Array / pool" (linked), then the figures."""
        return html_format(
            '<tr><th scope="row"><a href="{}">{} / {}</a></th>{}</tr>',
            page_url("dashboard:pool-detail", array=pool["array_slug"], pool=pool["key"]),
            pool["detail"],
            pool["name"],
            self._figures(pool, self._bar(pool)),
        )


def member_list(members, *, staff: bool) -> SafeString:
    """A team page's members as ``<li>``: name (else username), a badge for managers, the address for staff."""
    manager = html_format(' <span class="badge">{}</span>', pgettext("team role", "manager"))
    items = []
    for membership in members:
        user = membership.user
        email = html_format(' <span class="muted">{}</span>', user.email) if staff else ""
        items.append(
            html_format(
                "<li>{}{}{}</li>",
                user.get_full_name() or user.username,
                manager if membership.role == "manager" else "",
                email,
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - every item escapes its values
