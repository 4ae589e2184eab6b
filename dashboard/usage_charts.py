"""The usage charts of the pool, team and project pages: which series, lines and forecast each one draws.

* A pool's chart shows its physical used per day (the series its forecast fits) under its capacity and its
  warning and critical thresholds, and the forecast line up to the day it is full, or to the forecast
  horizon (``CAPACITY_FORECAST_HORIZON_DAYS``) when that day is further away: the value axis always reaches
  the capacity.
* A team's or project's chart shows its used per day under its quota (what its active allocations were
  promised), optionally split per project or per pool as stacked areas.

Each reads the daily figures once (a rollup for pools and teams, the same definition on the fly for a
project), plus one grouped query when split: a fixed number of queries whatever the period.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from dashboard.chart_controls import ChartOptions
from dashboard.charts import LineChart, Projection, Reference, day_text, line_chart
from dashboard.forecast import PoolForecast, horizon_days
from dashboard.selectors.storage import pool_daily_usage
from dashboard.selectors.usage import project_daily_usage, split_daily_usage, team_daily_usage
from inventory.thresholds import threshold_bytes


def pool_references(pool) -> list[Reference]:
    """Capacity and the pool's two thresholds as lines (each where its state starts)."""
    capacity = pool.capacity_bytes
    return [
        Reference("capacity", _("Capacity"), capacity),
        Reference(
            "critical",
            _("Critical %(percent)s %%") % {"percent": pool.critical_threshold},
            threshold_bytes(capacity, pool.critical_threshold),
        ),
        Reference(
            "warning",
            _("Warning %(percent)s %%") % {"percent": pool.warning_threshold},
            threshold_bytes(capacity, pool.warning_threshold),
        ),
    ]


def pool_projection(forecast: PoolForecast | None, capacity: int) -> Projection | None:
    """The forecast line from the latest day to the day the pool is full, or to the horizon if later."""
    if forecast is None or not forecast.filling or forecast.latest_day is None:
        return None
    start, days, horizon = forecast.latest_day, forecast.days_until_full, horizon_days()
    if days <= horizon:
        # Whole days rounded down, as "days until full" and "full about" are shown everywhere.
        end = start + dt.timedelta(days=int(days))
        label = _("Full now") if days == 0 else _("Full about %(date)s") % {"date": day_text(end)}
        return Projection(start, forecast.latest_used_bytes, end, capacity, label)
    end = start + dt.timedelta(days=horizon)
    try:
        full = _("full about %(date)s") % {"date": day_text(start + dt.timedelta(days=int(days)))}
    except OverflowError:
        full = _("full after the year 9999")
    label = _("Not full within %(days)s days (%(full)s)") % {"days": horizon, "full": full}
    return Projection(start, forecast.latest_used_bytes, end, forecast.used_after(horizon), label)


def pool_chart(pool, forecast: PoolForecast | None, options: ChartOptions, *, binary: bool) -> LineChart:
    return line_chart(
        pool_daily_usage(pool.pk, days=options.days),
        title=_("Physical used per day, %(period)s") % {"period": options.period_text},
        chart_id="pool-usage-chart",
        value_label=_("Used (physical)"),
        references=pool_references(pool),
        projection=pool_projection(forecast, pool.capacity_bytes),
        binary=binary,
    )


def team_chart(team, options: ChartOptions, *, latest_day: dt.date | None, binary: bool) -> LineChart:
    series = team_daily_usage(team.pk, days=options.days, end=latest_day)
    split = split_daily_usage([day for day, _ in series], by=options.split, team_id=team.pk) if options.split else ()
    return line_chart(
        series,
        title=_("%(name)s: used capacity per day, %(period)s") % {"name": team.name, "period": options.period_text},
        chart_id="team-usage",
        quota=team.allocated_bytes or None,
        split=split,
        binary=binary,
    )


def project_chart(project, options: ChartOptions, *, latest_day: dt.date | None, binary: bool) -> LineChart:
    # "All" starts at the project's start date: a project has no rollup to say where its history begins.
    series = project_daily_usage(project.pk, days=options.days, end=latest_day, first=project.start_date)
    split = (
        split_daily_usage([day for day, _ in series], by=options.split, project_id=project.pk) if options.split else ()
    )
    return line_chart(
        series,
        title=_("%(name)s: used capacity per day, %(period)s") % {"name": project.code, "period": options.period_text},
        chart_id="project-usage",
        quota=project.allocated_bytes or None,
        split=split,
        binary=binary,
    )
