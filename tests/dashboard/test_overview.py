"""The overview page: figures equal the database's, lists that need attention, staff-only parts, query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from dashboard.forecast import least_squares_days_until_full
from dashboard.selectors.overview import attention_lists, top_teams
from inventory.models import Allocation, PoolDailyUsage, StorageArray, UnitPreference
from inventory.services.rollups import refresh_daily_usage
from inventory.units import format_capacity
from tests.dashboard.conftest import TB, build_estate, make_user

URL = reverse("dashboard:overview")


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by *heading_id* (so a figure is checked where it belongs)."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(1)


def stat(html: str, label: str) -> str:
    """The first <dd> after the <dt> *label* in the fleet totals."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>([^<]*)</dd>", html)
    assert match, f"no stat {label}"
    return match.group(1).strip()


@pytest.mark.django_db
def test_fleet_totals_equal_the_database(researcher_client, estate):
    # A second, retired array must not count in the fleet.
    retired = build_estate(teams=1)
    StorageArray.objects.filter(pk=retired.array.pk).update(lifecycle_status=StorageArray.Lifecycle.RETIRED)
    # Physical usage on one allocation: 2:1 data reduction.
    reduced = estate.allocations[0]
    Allocation.objects.filter(pk=reduced.pk).update(physical_used_bytes=reduced.used_bytes // 2)

    html = section(researcher_client.get(URL).content.decode(), "fleet-heading")

    arrays = StorageArray.objects.filter(lifecycle_status__in=["active", "maintenance"])
    active = Allocation.objects.filter(status="active", pool__array__in=arrays)
    totals = arrays.aggregate(raw=Sum("raw_bytes"), usable=Sum("usable_bytes"))
    allocated = active.aggregate(total=Sum("quota_bytes"))["total"]
    logical = active.aggregate(total=Sum("used_bytes"))["total"]
    physical = logical - reduced.used_bytes + reduced.used_bytes // 2
    assert stat(html, "Raw") == format_capacity(totals["raw"])
    assert stat(html, "Usable") == format_capacity(totals["usable"])
    assert stat(html, "Allocated") == format_capacity(allocated)
    assert stat(html, "Used (logical)") == format_capacity(logical)
    assert stat(html, "Used (physical)") == format_capacity(physical)
    assert stat(html, "Free") == format_capacity(totals["usable"] - physical)
    assert stat(html, "Data reduction") == "2.00 : 1"
    # Exact bytes in the title, for people who need them.
    assert f'title="{totals["usable"]:,} bytes"' in html


@pytest.mark.django_db
def test_binary_units_on_request(researcher_client, researcher, estate):
    UnitPreference.objects.create(user=researcher, binary=True)
    html = section(researcher_client.get(URL).content.decode(), "fleet-heading")
    usable = StorageArray.objects.aggregate(total=Sum("usable_bytes"))["total"]
    assert stat(html, "Usable") == format_capacity(usable, binary=True)
    assert "PiB" in stat(html, "Usable")


@pytest.mark.django_db
def test_utilisation_per_site_array_and_pool(researcher_client, estate):
    html = section(researcher_client.get(URL).content.decode(), "utilisation-heading")
    assert estate.site.name in html
    assert reverse("dashboard:array-detail", kwargs={"array": estate.array.slug}) in html
    for pool in estate.pools:
        assert pool.get_absolute_url() in html
    # Both meanings of utilisation, as labelled bars.
    assert "of allowed allocated" in html
    assert "of usable used" in html


@pytest.mark.django_db
def test_teams_using_most_link_to_team_pages(researcher_client, estate_builder):
    estate = estate_builder(teams=12, projects_per_team=1, pools=1)
    html = section(researcher_client.get(URL).content.decode(), "teams-heading")
    links = re.findall(r'href="(/teams/[^"]+/)"', html)
    assert len(links) == 10  # the top ten only
    heaviest = max(
        estate.teams, key=lambda team: sum(a.used_bytes or 0 for a in estate.allocations if a.project.team == team)
    )
    assert heaviest.get_absolute_url() in links


def test_teams_using_most_are_the_team_lists_top_by_used(researcher_client, estate_builder):
    # The same figures as "All teams" sorted by used (linked below the table): active allocations only,
    # so a revoked allocation's usage does not count, and ties go to the older team.
    estate = estate_builder(teams=14, projects_per_team=1, pools=1)
    Allocation.objects.filter(pk=estate.allocations[0].pk).update(status=Allocation.Status.REVOKED)
    Allocation.objects.filter(pk=estate.allocations[1].pk).update(used_bytes=0)
    top = top_teams()
    teams = researcher_client.get("/teams/", {"sort": "-used"}).context["page_obj"]
    expected = [t for t in teams if t.used_bytes][:10]
    assert [(t.pk, t.used_bytes, t.allocated_bytes, t.used_percent) for t in top] == [
        (t.pk, t.used_bytes, t.allocated_bytes, t.used_percent) for t in expected
    ]
    assert estate.teams[0].pk not in {t.pk for t in top} and estate.teams[1].pk not in {t.pk for t in top}
    html = section(researcher_client.get(URL).content.decode(), "teams-heading")
    first = top[0]
    assert f'href="{first.get_absolute_url()}">{first.name}</a>' in html
    assert format_capacity(first.used_bytes) in html


@pytest.mark.django_db
def test_allocations_over_or_near_quota(researcher_client, estate_builder):
    estate = estate_builder(teams=6)
    html = section(researcher_client.get(URL).content.decode(), "near-quota-heading")
    # (project, pool) of each row: a project has one allocation per pool, with different usage.
    listed = set(re.findall(r'href="/projects/([^/"]+)/".*?href="/storage/[^/"]+/([^/"]+)/"', html, re.S))
    expected = {
        (a.project.code, a.pool.slug)
        for a in estate.allocations
        if a.used_bytes is not None and a.used_bytes * 100 >= a.quota_bytes * a.pool.warning_threshold
    }
    assert len(expected) > 10  # so the list is cut at ten, fullest first
    assert len(listed) == 10
    assert listed <= expected
    fullest = {
        (a.project.code, a.pool.slug) for a in estate.allocations if a.used_bytes and a.used_bytes > a.quota_bytes
    }
    assert fullest <= listed  # over quota comes first
    assert f"Showing 10 of {len(expected)}" in html


@pytest.mark.django_db
def test_allocations_ending_within_30_days(researcher_client, estate):
    today = datetime.date.today()
    soon, later = estate.allocations[0], estate.allocations[1]
    Allocation.objects.filter(pk=soon.pk).update(end_date=today + datetime.timedelta(days=10))
    Allocation.objects.filter(pk=later.pk).update(end_date=today + datetime.timedelta(days=40))
    html = section(researcher_client.get(URL).content.decode(), "ending-heading")
    assert (today + datetime.timedelta(days=10)).isoformat() in html
    assert (today + datetime.timedelta(days=40)).isoformat() not in html
    assert soon.project.code in html


@pytest.mark.django_db
def test_an_allocation_near_quota_and_ending_soon_is_in_both_lists(staff_user, estate):
    # The rows of all the lists come from one query; each list keeps its own count.
    today = datetime.date.today()
    over = next(a for a in estate.allocations if a.used_bytes and a.used_bytes > a.quota_bytes)
    Allocation.objects.filter(pk=over.pk).update(end_date=today + datetime.timedelta(days=3))
    lists = attention_lists(today=today, staff=False)
    assert lists.pending_requests is None
    assert over.pk in {a.pk for a in lists.near_quota} and [a.pk for a in lists.ending_soon] == [over.pk]
    assert lists.ending_soon[0].total == 1
    near = next(a for a in lists.near_quota if a.pk == over.pk)
    assert near.total == len(lists.near_quota) > 1 and near.used_percent == Decimal(110)
    assert near.pool.array.name and near.project.team.slug  # joined, no further query
    staff_client = Client()
    staff_client.force_login(staff_user)
    html = staff_client.get(URL).content.decode()
    assert over.project.code in section(html, "near-quota-heading")
    assert over.project.code in section(html, "ending-heading")
    assert "Showing 1 of 1." in section(html, "ending-heading")


@pytest.mark.django_db
def test_requests_waiting_for_approval_are_for_staff_only(researcher_client, staff_user, estate):
    requested = Allocation.objects.create(
        project=estate.projects[0],
        pool=estate.pools[0],
        quota_bytes=7 * TB,
        status=Allocation.Status.REQUESTED,
        requested_by=estate.pis[0],
    )
    staff_client = Client()
    staff_client.force_login(staff_user)
    staff_html = section(staff_client.get(URL).content.decode(), "requests-heading")
    assert format_capacity(7 * TB) in staff_html
    assert reverse("admin:inventory_allocation_change", args=[requested.pk]) in staff_html

    researcher_html = researcher_client.get(URL).content.decode()
    assert "Requests waiting for approval" not in researcher_html
    assert reverse("admin:inventory_allocation_change", args=[requested.pk]) not in researcher_html


@pytest.mark.django_db
def test_pools_nearing_full_show_days_until_full(researcher_client, estate, settings):
    settings.CAPACITY_FORECAST_HORIZON_DAYS = 10_000  # the estate's pools fill slowly (years)
    refresh_daily_usage()
    html = section(researcher_client.get(URL).content.decode(), "nearing-full-heading")
    pool = estate.pools[0]
    first_day = datetime.date.today() - datetime.timedelta(days=29)
    rows = PoolDailyUsage.objects.filter(pool=pool, day__gte=first_day)
    points = [((row.day - datetime.date(2000, 1, 1)).days, row.physical_used_bytes) for row in rows]
    days = least_squares_days_until_full(points, pool.capacity_bytes)
    assert days is not None
    assert f"in {int(days):,} days" in html
    on = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=int(days))
    assert f"(about {on.day} {on:%b} {on.year})" in html  # the day it is full, as people read dates
    assert pool.get_absolute_url() in html


@pytest.mark.django_db
def test_empty_states_say_what_to_do(researcher_client, staff_user):
    researcher_html = researcher_client.get(URL).content.decode()
    assert "No storage arrays have been recorded yet" in researcher_html
    assert reverse("admin:inventory_storagearray_add") not in researcher_html

    staff_client = Client()
    staff_client.force_login(staff_user)
    staff_html = staff_client.get(URL).content.decode()
    assert "No storage arrays yet — add one in the admin" in staff_html
    assert reverse("admin:inventory_storagearray_add") in staff_html


@pytest.mark.django_db
def test_not_filling_without_enough_usage(researcher_client, estate):
    # No rollups: no pool has a forecast, and the page says why instead of a number.
    PoolDailyUsage.objects.all().delete()
    html = section(researcher_client.get(URL).content.decode(), "nearing-full-heading")
    assert "No pool is filling" in html


def _count_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("as_staff", [False, True], ids=["researcher", "staff"])
def test_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries, as_staff):
    user = make_user("viewer", is_staff=as_staff)
    client.force_login(user)

    def grow(**sizes):
        """An estate with something in every list: usage over quota, an allocation ending soon, a request."""
        estate = build_estate(sample_days=3, **sizes)
        ending = Allocation.objects.filter(pool__in=estate.pools).order_by("pk")[:2]
        Allocation.objects.filter(pk__in=ending.values("pk")).update(
            end_date=datetime.date.today() + datetime.timedelta(days=5)
        )
        Allocation.objects.create(
            project=estate.projects[0], pool=estate.pools[0], quota_bytes=TB, status=Allocation.Status.REQUESTED
        )
        refresh_daily_usage()

    grow(teams=2, projects_per_team=1, pools=1)
    small = _count_queries(client, django_assert_max_num_queries, 15)
    grow(teams=12, projects_per_team=3, pools=3)
    large = _count_queries(client, django_assert_max_num_queries, 15)
    assert large == small


@pytest.mark.django_db
@pytest.mark.parametrize(("horizon", "listed"), [(180, ["soon"]), (700, ["soon", "later"]), (30, [])])
def test_pools_nearing_full_are_only_those_full_within_the_horizon(researcher_client, settings, horizon, listed):
    from tests.inventory.factories import make_filling_pool as filling_pool

    settings.CAPACITY_FORECAST_HORIZON_DAYS = horizon
    pools = {
        "soon": filling_pool(per_day=10 * TB, last=590 * TB),  # full in 41 days
        "later": filling_pool(per_day=TB, last=399 * TB),  # full in 601 days
    }
    html = section(researcher_client.get(URL).content.decode(), "nearing-full-heading")
    for name, pool in pools.items():
        assert (pool.get_absolute_url() in html) == (name in listed), name
    if listed == ["soon"]:
        assert "only pools full within 180 days are listed (1 more filling more slowly" in html
        assert "in 41 days" in html
    if not listed:
        assert "No pool will be full within 30 days at its current growth." in html
        assert "2 pools are filling more slowly" in html


@pytest.mark.django_db
def test_many_arrays_show_the_fullest_ten_and_a_link_to_all(researcher_client):
    """The wide shape (bench/wide.py) has 160 arrays: the overview lists the fullest, not every one."""
    estates = [build_estate(teams=1, projects_per_team=1, pools=1, sample_days=1) for _ in range(11)]
    html = section(researcher_client.get(URL).content.decode(), "utilisation-heading")
    listed = [e for e in estates if reverse("dashboard:array-detail", kwargs={"array": e.array.slug}) in html]
    assert len(listed) == 10 and "Fullest arrays" in html
    assert "All 11 arrays on the Storage page" in html
