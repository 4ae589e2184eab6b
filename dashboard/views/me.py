"""A person's own page (/me/), and where signing in lands: researchers there, staff on the overview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from approvals.rules import may_decide
from dashboard.forecast import DEFAULT_WINDOW_DAYS
from dashboard.selectors import me as selectors
from dashboard.selectors.usage import latest_sample_day


def home(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: staff keep the overview as home; everyone else lands on their own page."""
    return redirect("dashboard:overview" if request.user.is_staff else "dashboard:me")


def me(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = selectors.my_page(request.user, today=timezone.localdate(now), now=now, latest_day=latest_sample_day())
    context = {
        "page": page,
        "ending_within_days": selectors.ENDING_WITHIN_DAYS,
        "decided_within_days": selectors.DECIDED_WITHIN_DAYS,
        "forecast_window_days": DEFAULT_WINDOW_DAYS,
        "list_limit": selectors.LIST_LIMIT,
        "is_manager": may_decide(request.user),
    }
    return render(request, "dashboard/me.html", context)
