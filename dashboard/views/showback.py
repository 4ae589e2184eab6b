"""Monthly showback: TB-months allocated and used per institution, team and project (docs/domain.md).

``?month=YYYY-MM`` or ``?from=YYYY-MM&to=YYYY-MM`` (default: last month), ``&team=<slug>`` for one team,
``&institution=<slug>`` for one institution's teams;
``&format=csv`` or ``xlsx`` downloads it. Staff see every team; anyone else sees the teams they are a member of.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dashboard.bar_charts import month_bar_chart
from dashboard.selectors.showback import showback_report, showback_summary
from dashboard.showback_exports import showback_csv, showback_xlsx
from inventory.showback import MAX_MONTHS, Month, months_between

#: Teams (or one team's projects) per page: the page sums up, the downloads hold every project.
LINES_PER_PAGE = 50

_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")


class MonthField(forms.CharField):
    """A calendar month typed as YYYY-MM."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = _MONTH.fullmatch(value)
        if not match or not 1 <= int(match["month"]) <= 12 or int(match["year"]) < 1970:
            raise forms.ValidationError(
                _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.") % {"value": value[:20]}
            )
        return Month(int(match["year"]), int(match["month"]))


class ShowbackForm(forms.Form):
    month = MonthField(required=False, label=gettext_lazy("Month"))
    start = MonthField(required=False, label=pgettext_lazy("month", "From"))
    end = MonthField(required=False, label=pgettext_lazy("month", "To"))

    def __init__(self, data, *, today: datetime.date):
        # "from" is a Python keyword: the query's from/to arrive as start/end.
        super().__init__({"month": data.get("month", ""), "start": data.get("from", ""), "end": data.get("to", "")})
        self.today = today

    def clean(self):
        data = super().clean()
        month, start, end = data.get("month"), data.get("start"), data.get("end")
        if self.errors:
            return data
        if month and (start or end):
            raise forms.ValidationError(_("Give either a month, or from and to: not both."))
        if month:
            start = end = month
        start, end = start or end, end or start
        if not start:
            start = end = Month.of(self.today.replace(day=1) - datetime.timedelta(days=1))
        if (end.year, end.month) < (start.year, start.month):
            self.add_error("end", _("To (%(end)s) is before from (%(start)s).") % {"end": end, "start": start})
        elif len(months_between(start, end)) > MAX_MONTHS:
            self.add_error("end", _("A report covers at most %(months)d months.") % {"months": MAX_MONTHS})
        elif end.first_day > self.today:
            self.add_error("month" if month else "end", _("%(month)s has not begun yet.") % {"month": end})
        data["months"] = months_between(start, end)
        return data


def showback(request: HttpRequest) -> HttpResponse:
    today = datetime.datetime.now(datetime.UTC).date()
    form = ShowbackForm(request.GET, today=today)
    if not form.is_valid():
        return render(request, "dashboard/showback.html", {"form": form}, status=400)
    months = form.cleaned_data["months"]
    viewer_id = None if request.user.is_staff else request.user.pk
    team_slug = request.GET.get("team") or None
    institution_slug = request.GET.get("institution") or None
    scope = {"viewer_id": viewer_id, "team_slug": team_slug, "institution_slug": institution_slug}
    export = request.GET.get("format")
    if export == "csv":
        return showback_csv(months, today=today, **scope)
    if export == "xlsx":
        return showback_xlsx(showback_report(months, today=today, **scope))
    page = request.GET.get("page", "1")
    report = showback_summary(
        months, today=today, page=int(page[:6]) if page.isdigit() else 1, per_page=LINES_PER_PAGE, **scope
    )
    chart = month_bar_chart(
        [(str(month), figures.allocated, figures.used) for month, figures in report.per_month],
        title=_("TB-months allocated and used per month"),
    )
    context = {
        "form": form,
        "report": report,
        "chart": chart,
        "own_teams_only": viewer_id is not None,
        "team_slug": team_slug,
        "institution_slug": institution_slug,
    }
    return render(request, "dashboard/showback.html", context)
