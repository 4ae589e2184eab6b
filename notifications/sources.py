"""The built-in event sources (see notifications/registry.py): quotas, pool thresholds, forecasts, end dates, requests.

Every figure comes from where the pages get it: which allocations count and their usage from inventory/figures.py,
a pool's used share from the dashboard's capacity query, a pool's days until full from its forecast query.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dashboard.selectors.forecasts import pool_forecasts
from dashboard.selectors.storage import capacity_figures
from inventory.figures import counts_as_used, reporting_since
from inventory.models import Allocation, StoragePool
from inventory.units import format_capacity
from notifications.registry import INFRASTRUCTURE, MANAGERS, TEAM, Observation, level_of, source

#: Percentages of its quota at which an allocation's usage is announced.
QUOTA_MARKS = (80, 90, 100)
#: Days before an allocation's end date at which it is announced (0: it ends today).
ENDING_MARKS = (30, 14, 7, 0)
_ALLOCATION_FIELDS = ("pk", "project_id", "project__code", "project__team_id", "pool_id", "pool__name")


def project_url(code: str) -> str:
    return reverse("dashboard:project-detail", kwargs={"code": code})


def _pool_url(array_slug: str, pool_slug: str) -> str:
    return reverse("dashboard:pool-detail", kwargs={"array": array_slug, "pool": pool_slug})


def quota_level(used: int, quota: int) -> int:
    """How many of 80, 90 and 100 % of *quota* *used* has reached (exact integers; a zero quota: any use is 100 %)."""
    if quota == 0:
        return len(QUOTA_MARKS) if used > 0 else 0
    return level_of(used * 100, [quota * mark for mark in QUOTA_MARKS])


# xgettext:no-python-format
@source("allocation_usage", label=_("An allocation's usage reaches 80, 90 or 100 % of its quota"), audience=TEAM)
def allocation_usage(now: dt.datetime):
    # Only allocations whose usage counts (active and reporting): an unknown figure neither fires nor re-arms.
    rows = Allocation.objects.filter(counts_as_used(since=reporting_since(now))).values_list(
        *_ALLOCATION_FIELDS, "used_bytes", "quota_bytes"
    )
    for pk, project_id, code, team_id, pool_id, pool_name, used, quota in rows.iterator():
        level = quota_level(used, quota)
        if level == 0:
            yield Observation(subject_id=pk, level=0)  # most allocations: no message to build
            continue
        mark = QUOTA_MARKS[level - 1]
        yield Observation(
            subject_id=pk,
            level=level,
            title=gettext("%(project)s on %(pool)s has used %(mark)s %% of its quota")
            % {"project": code, "pool": pool_name, "mark": mark},
            body=gettext("%(project)s on pool %(pool)s uses %(used)s of its %(quota)s quota.")
            % {"project": code, "pool": pool_name, "used": format_capacity(used), "quota": format_capacity(quota)},
            url=project_url(code),
            team_id=team_id,
            project_id=project_id,
            pool_id=pool_id,
        )


@source("pool_threshold", label=_("A pool's usage passes its warning or critical threshold"), audience=INFRASTRUCTURE)
def pool_threshold(now: dt.datetime):
    for pool in capacity_figures().pools:
        if pool["pool_id"] is None:
            continue  # an array without pools still has a row at the pool level
        usable, physical = pool["usable_bytes"], pool["physical_used_bytes"]
        marks = (pool["warning_threshold"], pool["critical_threshold"])
        level = level_of(physical * 100, [usable * mark for mark in marks]) if usable > 0 else 0
        passed = (
            gettext("Pool %(pool)s passed its critical threshold (%(mark)s %%)")
            if level == 2
            else gettext("Pool %(pool)s passed its warning threshold (%(mark)s %%)")
        )
        yield Observation(
            subject_id=pool["pool_id"],
            level=level,
            title=passed % {"pool": pool["pool_name"], "mark": marks[max(level, 1) - 1]},
            body=gettext("Pool %(pool)s on %(array)s has %(used)s used (physical) of %(usable)s.")
            % {
                "pool": pool["pool_name"],
                "array": pool["array_name"],
                "used": format_capacity(physical),
                "usable": format_capacity(usable),
            },
            url=_pool_url(pool["array_slug"], pool["pool_slug"]),
            pool_id=pool["pool_id"],
        )


@source("pool_forecast", label=_("A pool is forecast to be full within 30 days"), audience=INFRASTRUCTURE)
def pool_forecast(now: dt.datetime):
    forecasts = pool_forecasts(now=now)
    horizon = settings.NOTIFICATIONS_FORECAST_DAYS
    for pk, name, array_slug, slug in StoragePool.objects.values_list("pk", "name", "array__slug", "slug"):
        forecast = forecasts.get(pk)
        days = forecast.days_until_full if forecast is not None else None
        yield Observation(
            subject_id=pk,
            level=1 if days is not None and days <= horizon else 0,
            title=gettext("Pool %(pool)s is full") % {"pool": name}
            if days == 0
            else ngettext(
                "Pool %(pool)s is forecast to be full in %(days)s day",
                "Pool %(pool)s is forecast to be full in %(days)s days",
                round(days or 0),
            )
            % {"pool": name, "days": f"{days or 0:.0f}"},
            body=ngettext(
                "At its growth over the last 30 days, pool %(pool)s fills its usable capacity within %(horizon)d day.",
                "At its growth over the last 30 days, pool %(pool)s fills its usable capacity within %(horizon)d days.",
                horizon,
            )
            % {"pool": name, "horizon": horizon},
            url=_pool_url(array_slug, slug),
            pool_id=pk,
        )


@source("allocation_ending", label=_("An allocation ends in 30, 14, 7 or 0 days"), audience=TEAM)
def allocation_ending(now: dt.datetime):
    today = now.astimezone(dt.UTC).date()
    rows = Allocation.objects.filter(status=Allocation.Status.ACTIVE, end_date__isnull=False).values_list(
        *_ALLOCATION_FIELDS, "end_date"
    )
    for pk, project_id, code, team_id, pool_id, pool_name, end_date in rows.iterator():
        days = (end_date - today).days
        level = level_of(-days, [-mark for mark in ENDING_MARKS])
        if level == 0:
            yield Observation(subject_id=pk, level=0)
            continue
        if days <= 0:
            title = gettext("%(project)s on %(pool)s ends today")
        else:
            title = ngettext(
                "%(project)s on %(pool)s ends in %(days)d day", "%(project)s on %(pool)s ends in %(days)d days", days
            )
        yield Observation(
            subject_id=pk,
            level=level,
            title=title % {"project": code, "pool": pool_name, "days": days},
            body=gettext(
                "The allocation of %(project)s on pool %(pool)s ends on %(end)s. "
                "Ask for a later end date before then if the data must stay."
            )
            % {"project": code, "pool": pool_name, "end": f"{end_date:%Y-%m-%d}"},
            url=project_url(code),
            team_id=team_id,
            project_id=project_id,
            pool_id=pool_id,
        )


def request_lookback(now: dt.datetime) -> dt.datetime:
    """Requests submitted or decided before this are not announced (a first pass does not replay the history)."""
    return now - dt.timedelta(days=settings.NOTIFICATIONS_REQUEST_LOOKBACK_DAYS)


@source("request_submitted", label=_("An allocation request is submitted"), audience=MANAGERS)
def request_submitted(now: dt.datetime):
    rows = Allocation.objects.filter(status=Allocation.Status.REQUESTED, created_at__gte=request_lookback(now))
    for pk, project_id, code, team_id, pool_id, pool_name, quota in rows.values_list(
        *_ALLOCATION_FIELDS, "quota_bytes"
    ):
        yield Observation(
            subject_id=pk,
            level=1,
            title=gettext("%(project)s asks for %(quota)s on %(pool)s")
            % {"project": code, "quota": format_capacity(quota), "pool": pool_name},
            body=gettext("A request for %(quota)s on pool %(pool)s for %(project)s waits for a decision.")
            % {"project": code, "quota": format_capacity(quota), "pool": pool_name},
            url=project_url(code),
            team_id=team_id,
            project_id=project_id,
            pool_id=pool_id,
        )


def _decided_since(since: dt.datetime) -> Q:
    """Approved (approved_at) or denied (the history's record of the denial) at or after *since*."""
    denied = Allocation.history.filter(id=OuterRef("pk"), status=Allocation.Status.DENIED, history_date__gte=since)
    return Q(status=Allocation.Status.ACTIVE, approved_at__gte=since) | Q(
        Exists(denied), status=Allocation.Status.DENIED
    )


@source("request_decided", label=_("An allocation request is approved or denied"), audience=TEAM)
def request_decided(now: dt.datetime):
    # A request is an allocation someone asked for; one an admin created active was never requested.
    rows = Allocation.objects.filter(_decided_since(request_lookback(now)), requested_by__isnull=False)
    for pk, project_id, code, team_id, pool_id, pool_name, status, quota, requester in rows.values_list(
        *_ALLOCATION_FIELDS, "status", "quota_bytes", "requested_by_id"
    ):
        names = {"project": code, "quota": format_capacity(quota), "pool": pool_name}
        if status == Allocation.Status.ACTIVE:
            title = gettext("The request of %(project)s for %(quota)s on %(pool)s was approved")
            body = gettext("The request for %(quota)s on pool %(pool)s for %(project)s was approved.")
        else:
            title = gettext("The request of %(project)s for %(quota)s on %(pool)s was denied")
            body = gettext("The request for %(quota)s on pool %(pool)s for %(project)s was denied.")
        yield Observation(
            subject_id=pk,
            level=1,
            title=title % names,
            body=body % names,
            url=project_url(code),
            team_id=team_id,
            project_id=project_id,
            pool_id=pool_id,
            user_ids=(requester,),
        )
