"""The usage charts on the pool, team and project pages: capacity, thresholds, forecast, quota, split,
period links with and without htmx, and a fixed number of queries whatever the period or split."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.dashboard.conftest import build_estate, make_user
from tests.inventory.factories import make_filling_pool as filling_pool

TB = 10**12
PB = 10**15
CHART_ONLY = {"HX-Request": "true", "HX-Target": "pool-usage-chart-block"}


def today():
    return timezone.now().astimezone(datetime.UTC).date()


def svg(html: str) -> str:
    match = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert match, "no chart"
    return match.group(0)


# --- the pool chart ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pool_chart_reaches_capacity_and_draws_thresholds_and_the_forecast_end(researcher_client):
    # 1 PB pool at 590 TB, growing 10 TB a day: full in 41 days.
    pool = filling_pool(per_day=10 * TB, last=590 * TB, warning_threshold=80, critical_threshold=90)
    chart = svg(researcher_client.get(pool.get_absolute_url()).content.decode())
    axis_max = int(re.search(r'data-axis-max="(\d+)"', chart).group(1))
    assert axis_max >= PB
    assert ">1 PB</text>" in chart  # the top tick is the capacity, not 600 TB
    assert '<line class="capacity"' in chart and ">Capacity: 1.00 PB</text>" in chart
    assert '<line class="warning"' in chart and ">Warning 80 %: 800 TB</text>" in chart
    assert '<line class="critical"' in chart and ">Critical 90 %: 900 TB</text>" in chart
    full_day = today() + datetime.timedelta(days=41)
    assert f'data-day="{full_day:%Y-%m-%d}"' in chart
    assert f"Full about {full_day:%d %b %Y}" in chart
    # The forecast ends on the capacity line.
    capacity_y = re.search(r'<line class="capacity"[^>]* y1="([\d.]+)"', chart).group(1)
    assert re.search(rf'<circle class="projection-end" cx="[\d.]+" cy="{capacity_y}"', chart)


@pytest.mark.django_db
def test_pool_chart_forecast_stops_at_the_horizon_when_full_later(researcher_client, settings):
    settings.CAPACITY_FORECAST_HORIZON_DAYS = 180
    pool = filling_pool(per_day=TB, last=399 * TB)  # full in 601 days
    chart = svg(researcher_client.get(pool.get_absolute_url()).content.decode())
    horizon_end = today() + datetime.timedelta(days=180)
    assert f'data-day="{horizon_end:%Y-%m-%d}"' in chart
    assert "Not full within 180 days (full about" in chart
    assert int(re.search(r'data-axis-max="(\d+)"', chart).group(1)) >= PB


@pytest.mark.django_db
def test_threshold_lines_follow_the_pools_own_thresholds(researcher_client):
    pool = filling_pool(per_day=1, last=30, capacity=10**12, warning_threshold=85, critical_threshold=95)
    chart = svg(researcher_client.get(pool.get_absolute_url()).content.decode())
    assert ">Warning 85 %: 850 GB</text>" in chart and ">Critical 95 %: 950 GB</text>" in chart


# --- the period links --------------------------------------------------------------------------


@pytest.mark.django_db
def test_period_links_without_javascript_reload_the_page(researcher_client):
    pool = filling_pool(per_day=TB, last=500 * TB, days=45)
    html = researcher_client.get(pool.get_absolute_url(), {"range": "30d"}).content.decode()
    assert "<html" in html and "Allocations on this pool" in html
    assert re.search(r'<a href="\?range=30d" hx-get="\?range=30d"[^>]*aria-current="true">30 days</a>', html)
    for value in ("90d", "1y", "all"):
        assert f'href="?range={value}" hx-get="?range={value}"' in html
    assert html.count("<tr><td>20") == 30  # one table row per day of the last 30
    all_days = researcher_client.get(pool.get_absolute_url(), {"range": "all"}).content.decode()
    assert all_days.count("<tr><td>20") == 45
    assert "Physical used per day, all reported days" in all_days


@pytest.mark.django_db
def test_period_links_with_htmx_swap_only_the_chart(researcher_client):
    pool = filling_pool(per_day=TB, last=500 * TB, days=45)
    response = researcher_client.get(pool.get_absolute_url(), {"range": "1y"}, headers=CHART_ONLY)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="chart-block" id="pool-usage-chart-block">')
    assert "<html" not in html and "Allocations on this pool" not in html
    assert 'hx-target="#pool-usage-chart-block" hx-swap="outerHTML" hx-push-url="true"' in html
    assert 'aria-current="true">1 year</a>' in html and html.count("<tr><td>20") == 45
    assert "HX-Target" in response["Vary"] and "HX-Request" in response["Vary"]
    # The allocation table's own htmx requests (no chart target) still get the table.
    table = researcher_client.get(pool.get_absolute_url(), {"sort": "-percent"}, headers={"HX-Request": "true"})
    assert "chart-block" not in table.content.decode()
    # Back after a swap (history restore) needs the whole page.
    restore = researcher_client.get(
        pool.get_absolute_url(), {"range": "1y"}, headers={**CHART_ONLY, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


@pytest.mark.django_db
def test_an_unknown_period_or_split_says_which_exist(researcher_client):
    pool = filling_pool(per_day=TB, last=500 * TB)
    response = researcher_client.get(pool.get_absolute_url(), {"range": "5y", "split": "project"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Period: “5y” is not one of “30d”, “90d”, “1y”, “all”; showing 90 days." in html
    assert "Split: “project” is not one of none; showing the total." in html
    assert 'aria-current="true">90 days</a>' in html


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"range": "all"}, {"range": "30d", "split": "project"}, {"split": "pool"}])
@pytest.mark.parametrize("kind", ["pool", "pool-chart", "team", "team-chart", "project", "project-chart"])
def test_chart_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries, kind, query):
    client.force_login(make_user("viewer"))

    def count(estate) -> int:
        page, _, chart_only = kind.partition("-")
        url = {
            "pool": estate.pools[0].get_absolute_url(),
            "team": estate.teams[0].get_absolute_url(),
            "project": estate.projects[0].get_absolute_url(),
        }[page]
        target = {"pool": "pool-usage-chart-block", "team": "team-usage-block", "project": "project-usage-block"}
        headers = {"HX-Request": "true", "HX-Target": target[page]} if chart_only else {}
        with django_assert_max_num_queries(14) as captured:
            assert client.get(url, query, headers=headers).status_code == 200
        return len(captured.captured_queries)

    small = count(build_estate(teams=1, projects_per_team=1, pools=1, sample_days=5))
    large = count(build_estate(teams=3, projects_per_team=4, pools=3, sample_days=40))
    assert large == small


@pytest.mark.django_db
def test_the_period_does_not_change_the_number_of_queries(researcher_client, django_assert_max_num_queries):
    estate = build_estate(teams=1, projects_per_team=2, pools=2, sample_days=40)
    counts = set()
    for period in ("30d", "90d", "1y", "all"):
        for url in (estate.teams[0].get_absolute_url(), estate.projects[0].get_absolute_url()):
            with django_assert_max_num_queries(14) as captured:
                researcher_client.get(url, {"range": period, "split": "pool"})
            counts.add((url, len(captured.captured_queries)))
    assert len(counts) == 2  # one count per page, whatever the period


# --- team and project charts -------------------------------------------------------------------


@pytest.mark.django_db
def test_team_chart_labels_the_quota_and_splits_by_project_or_pool(researcher_client):
    estate = build_estate(teams=1, projects_per_team=2, pools=2, sample_days=10)
    team = estate.teams[0]
    html = researcher_client.get(team.get_absolute_url()).content.decode()
    chart = svg(html)
    assert '<line class="quota"' in chart and ">Quota: 40.0 TB</text>" in chart  # 4 allocations of 10 TB
    assert 'aria-current="true">Total</a>' in html and "chart-legend" not in html

    by_project = researcher_client.get(team.get_absolute_url(), {"split": "project"}).content.decode()
    assert 'aria-current="true">By project</a>' in by_project
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', by_project, re.S).group(1)
    for project in estate.projects:
        assert project.code in legend
    assert by_project.count('<path class="band band-') == 2
    # The data table has a column per project next to the total.
    assert re.search(
        rf'<th scope="col" class="num">Used</th><th scope="col" class="num">{estate.projects[0].code}', by_project
    ) or (
        re.search(
            rf'<th scope="col" class="num">Used</th><th scope="col" class="num">{estate.projects[1].code}', by_project
        )
    )

    by_pool = researcher_client.get(
        team.get_absolute_url(), {"split": "pool"}, headers={"HX-Request": "true", "HX-Target": "team-usage-block"}
    ).content.decode()
    assert "<html" not in by_pool and by_pool.count('<path class="band band-') == 2
    for pool in estate.pools:
        assert f"{estate.array.name} / {pool.name}" in by_pool


@pytest.mark.django_db
def test_project_chart_splits_by_pool_only(researcher_client):
    estate = build_estate(teams=1, projects_per_team=1, pools=3, sample_days=10)
    project = estate.projects[0]
    html = researcher_client.get(project.get_absolute_url(), {"split": "pool"}).content.decode()
    assert ">Quota: 30.0 TB</text>" in svg(html)
    assert html.count('<path class="band band-') == 3 and 'aria-current="true">By pool</a>' in html
    assert ">By project</a>" not in html
