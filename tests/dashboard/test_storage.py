"""The storage pages: figures equal the database's, staff-only details, htmx tables, 404s, query counts."""

import datetime
import re

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from inventory.models import Allocation, StorageArray, StoragePool, UsageSample
from inventory.services.rollups import refresh_daily_usage
from inventory.units import format_capacity
from tests.dashboard.conftest import PB, build_estate, make_user

LIST_URL = reverse("dashboard:storage-list")


def stat(html: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>([^<]*)</dd>", html)
    assert match, f"no stat {label}"
    return match.group(1).strip()


def pool_row(html: str, pool: StoragePool) -> list[str]:
    """The cells of *pool*'s row in a figures table, tags stripped."""
    match = re.search(
        rf'<tr>\s*<th scope="row">\s*<a href="{re.escape(pool.get_absolute_url())}">(.*?)</tr>', html, re.S
    )
    assert match, f"no row for {pool}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


def expected_pool_figures(pool: StoragePool) -> dict[str, int]:
    active = Allocation.objects.filter(pool=pool, status="active")
    allocated = active.aggregate(total=Sum("quota_bytes"))["total"] or 0
    used = active.aggregate(total=Sum("used_bytes"))["total"] or 0
    return {"allocated": allocated, "used": used, "free": pool.capacity_bytes - used}


# --- the list ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_groups_pools_under_their_arrays_with_database_figures(researcher_client, estate):
    html = researcher_client.get(LIST_URL).content.decode()
    assert estate.site.name in html
    assert estate.array.get_absolute_url() in html
    for pool in estate.pools:
        figures = expected_pool_figures(pool)
        cells = pool_row(html, pool)
        # Usable, allocated, allocated ÷ allowed, used, used ÷ usable, free, oversubscription, reduction, forecast.
        assert cells[0] == format_capacity(pool.capacity_bytes)
        assert cells[1] == format_capacity(figures["allocated"])
        assert cells[3] == format_capacity(figures["used"])
        assert cells[5] == format_capacity(figures["free"])
        assert cells[6] == f"{figures['allocated'] / pool.capacity_bytes:.2f} : 1"
        assert cells[8].startswith("in ") and cells[8].endswith(" days")  # the estate's usage grows daily


@pytest.mark.django_db
def test_list_empty_state(researcher_client):
    assert "No storage arrays have been recorded yet" in researcher_client.get(LIST_URL).content.decode()


# --- the array page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_array_page_shows_figures_and_pools(researcher_client, estate):
    html = researcher_client.get(estate.array.get_absolute_url()).content.decode()
    active = Allocation.objects.filter(pool__array=estate.array, status="active")
    assert stat(html, "Raw") == format_capacity(estate.array.raw_bytes)
    assert stat(html, "Usable") == format_capacity(estate.array.usable_bytes)
    assert stat(html, "Allocated") == format_capacity(active.aggregate(t=Sum("quota_bytes"))["t"])
    used = active.aggregate(t=Sum("used_bytes"))["t"]
    assert stat(html, "Used (logical)") == format_capacity(used)
    assert stat(html, "Free") == format_capacity(estate.array.usable_bytes - used)
    for pool in estate.pools:
        assert pool.get_absolute_url() in html


@pytest.mark.django_db
def test_staff_only_details_are_hidden_from_researchers(researcher_client, staff_user, estate):
    researcher_html = researcher_client.get(estate.array.get_absolute_url()).content.decode()
    for secret in (estate.array.serial_number, estate.array.management_url, "Staff-only array note"):
        assert secret not in researcher_html

    staff_client = Client()
    staff_client.force_login(staff_user)
    staff_html = staff_client.get(estate.array.get_absolute_url()).content.decode()
    for secret in (estate.array.serial_number, estate.array.management_url, "Staff-only array note"):
        assert secret in staff_html


# --- the pool page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pool_page_figures_equal_the_database(researcher_client, estate):
    pool = estate.pools[0]
    html = researcher_client.get(pool.get_absolute_url()).content.decode()
    figures = expected_pool_figures(pool)
    assert stat(html, "Usable") == format_capacity(pool.capacity_bytes)
    assert stat(html, "Allocated") == format_capacity(figures["allocated"])
    assert stat(html, "Used (logical)") == format_capacity(figures["used"])
    assert stat(html, "Used (physical)") == format_capacity(figures["used"])  # nothing reports physical
    assert stat(html, "Free") == format_capacity(figures["free"])
    assert stat(html, "Data reduction") == "—"
    assert stat(html, "Days until full").startswith("in ")  # the estate's usage grows daily
    # Its allocations, each with a quota-versus-used bar.
    for allocation in Allocation.objects.filter(pool=pool).select_related("project"):
        assert allocation.project.code in html


@pytest.mark.django_db
def test_pool_page_forecast(researcher_client, estate):
    pool = estate.pools[0]
    refresh_daily_usage()
    html = researcher_client.get(pool.get_absolute_url()).content.decode()
    assert re.match(r"in [\d,]+ days", stat(html, "Days until full"))


@pytest.mark.django_db
def test_pool_page_not_filling_when_usage_shrinks(researcher_client, estate):
    pool = estate.pools[0]
    # Reverse every sample's history: usage falls towards today.
    for allocation in Allocation.objects.filter(pool=pool, used_bytes__isnull=False):
        for sample in UsageSample.objects.filter(allocation=allocation):
            age = (allocation.usage_measured_at - sample.measured_at).days
            UsageSample.objects.filter(pk=sample.pk).update(used_bytes=allocation.used_bytes + age * 10**9)
    refresh_daily_usage()
    html = researcher_client.get(pool.get_absolute_url()).content.decode()
    assert stat(html, "Days until full") == "not filling"
    assert "flat or falling" in html


@pytest.mark.django_db
def test_binary_units(researcher_client, researcher, estate):
    from inventory.models import UnitPreference

    UnitPreference.objects.create(user=researcher, binary=True)
    html = researcher_client.get(estate.pools[0].get_absolute_url()).content.decode()
    assert stat(html, "Usable") == format_capacity(PB, binary=True) == "909 TiB"


# --- htmx tables -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["array", "pool"])
def test_htmx_gets_only_the_table_and_a_plain_request_the_whole_page(researcher_client, estate, page):
    url = estate.array.get_absolute_url() if page == "array" else estate.pools[0].get_absolute_url()
    full = researcher_client.get(url, {"sort": "-used"})
    partial = researcher_client.get(url, {"sort": "-used"}, headers={"HX-Request": "true"})

    full_html, partial_html = full.content.decode(), partial.content.decode()
    assert "<html" in full_html and 'id="results"' in full_html and "Capacity" in full_html
    assert "<html" not in partial_html and "<h1" not in partial_html and "<table" in partial_html
    assert "HX-Request" in partial["Vary"]
    # The table comes back sorted by used, descending.
    assert 'aria-sort="descending"' in partial_html
    # Every hx-get is also a real link or form action.
    for tag in re.findall(r"<a [^>]*hx-get[^>]*>", full_html):
        assert 'href="' in tag


@pytest.mark.django_db
def test_allocation_table_pages_and_sorts(researcher_client, estate_builder):
    estate = estate_builder(teams=15, projects_per_team=2, pools=1)
    pool = estate.pools[0]
    first = researcher_client.get(pool.get_absolute_url(), {"sort": "quota"}).content.decode()
    second = researcher_client.get(pool.get_absolute_url(), {"sort": "quota", "page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "30 allocations" in first


# --- 404s --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_array_or_pool_is_404(researcher_client, estate):
    other = build_estate(teams=1)
    pool = estate.pools[0]
    assert researcher_client.get("/storage/no-such-array/").status_code == 404
    assert researcher_client.get(f"/storage/{estate.array.slug}/no-such-pool/").status_code == 404
    # A real pool under the wrong array.
    assert researcher_client.get(f"/storage/{other.array.slug}/{pool.slug}/").status_code == 404
    assert researcher_client.get(pool.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_pages_need_login(client, estate):
    response = client.get(estate.pools[0].get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["list", "array", "pool", "pool-htmx"])
@pytest.mark.parametrize("as_staff", [False, True], ids=["researcher", "staff"])
def test_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries, page, as_staff):
    client.force_login(make_user("viewer", is_staff=as_staff))

    def count(estate):
        url = {
            "list": LIST_URL,
            "array": estate.array.get_absolute_url(),
            "pool": estate.pools[0].get_absolute_url(),
            "pool-htmx": estate.pools[0].get_absolute_url() + "?sort=-percent&page=2",
        }[page]
        headers = {"HX-Request": "true"} if page == "pool-htmx" else {}
        with django_assert_max_num_queries(13) as captured:
            assert client.get(url, headers=headers).status_code == 200
        return len(captured.captured_queries)

    small = build_estate(teams=2, projects_per_team=1, pools=1, sample_days=3)
    refresh_daily_usage()
    small_count = count(small)
    large = build_estate(teams=30, projects_per_team=2, pools=3, sample_days=3)
    for allocation in large.allocations[:3]:
        Allocation.objects.filter(pk=allocation.pk).update(end_date=datetime.date.today() + datetime.timedelta(days=3))
    refresh_daily_usage()
    assert count(large) == small_count


@pytest.mark.django_db
def test_pool_page_charts_the_daily_usage_the_forecast_fits(researcher_client, estate):
    from inventory.models import PoolDailyUsage

    pool = estate.pools[0]
    refresh_daily_usage()
    html = researcher_client.get(pool.get_absolute_url()).content.decode()
    latest = PoolDailyUsage.objects.filter(pool=pool).order_by("-day").first()
    assert "Physical used per day" in html
    assert f'<td>{latest.day:%Y-%m-%d}</td><td class="num">{format_capacity(latest.physical_used_bytes)}</td>' in html


@pytest.mark.django_db
def test_array_page_pool_filter_is_a_text_box_within_the_array(researcher_client, estate):
    other = build_estate(teams=1)
    html = researcher_client.get(estate.array.get_absolute_url()).content.decode()
    assert '<select name="pool"' not in html and '<input type="search" name="pool"' in html
    # Filtering by one of its pools keeps only that pool's allocations.
    chosen = estate.pools[1]
    partial = researcher_client.get(
        estate.array.get_absolute_url(), {"pool": chosen.slug}, headers={"HX-Request": "true"}
    )
    shown = Allocation.objects.filter(pool=chosen).count()
    assert f"{shown} allocations" in partial.content.decode()
    # Another array's pool matches nothing here.
    response = researcher_client.get(estate.array.get_absolute_url(), {"pool": other.pools[0].slug})
    assert response.context["page_obj"].paginator.count == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("quota_tb", "nearly"), [(96, True), (95, True), (94, False)])
def test_nearly_overcommitted_at_95_percent_of_allowed(researcher_client, estate, quota_tb, nearly):
    from tests.dashboard.conftest import TB

    # Room on the array for one more small pool.
    StorageArray.objects.filter(pk=estate.array.pk).update(usable_bytes=estate.array.usable_bytes + 100 * TB)
    pool = StoragePool.objects.create(array=estate.array, name="small", slug="small-pool", capacity_bytes=100 * TB)
    Allocation.objects.create(
        project=estate.projects[0], pool=pool, quota_bytes=quota_tb * TB, status=Allocation.Status.ACTIVE
    )
    html = researcher_client.get(pool.get_absolute_url()).content.decode()
    assert ("nearly overcommitted" in html) is nearly


@pytest.mark.django_db
def test_pool_allocations_as_csv(researcher_client, estate):
    pool = estate.pools[0]
    response = researcher_client.get(pool.get_absolute_url(), {"format": "csv", "sort": "-quota"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    lines = text.splitlines()
    assert lines[0].startswith("project_code,")
    assert len(lines) - 1 == Allocation.objects.filter(pool=pool).count()
    # Exact bytes, not units; researchers get no requester or justification column.
    assert str(estate.allocations[0].quota_bytes) in text
    assert "justification" not in lines[0]


# --- many arrays and pools (the wide shape: bench/wide.py) ---------------------------------------


@pytest.mark.django_db
def test_list_pages_arrays_ten_at_a_time(researcher_client):
    estates = [build_estate(teams=1, projects_per_team=1, pools=1, sample_days=1) for _ in range(11)]
    first = researcher_client.get(LIST_URL)
    html = first.content.decode()
    shown = [e for e in estates if e.array.get_absolute_url() in html]
    assert len(shown) == 10 and "Page 1 of 2" in html and "11 arrays" in html
    assert 'href="?page=2"' in html  # a plain link: paging works without JavaScript
    second = researcher_client.get(LIST_URL, {"page": 2}).content.decode()
    assert [e for e in estates if e.array.get_absolute_url() in second] == [e for e in estates if e not in shown]
    # htmx swaps the arrays alone.
    partial = researcher_client.get(LIST_URL, {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert "<h1>" not in partial and "Page 2 of 2" in partial


@pytest.mark.django_db
def test_array_page_pages_its_pools(researcher_client):
    estate = build_estate(teams=1, projects_per_team=1, pools=27, sample_days=1)
    url = estate.array.get_absolute_url()
    html = researcher_client.get(url).content.decode()
    listed = [p for p in estate.pools if p.get_absolute_url() in html]
    assert "Pools 1–25 of 27" in html and len(listed) >= 25
    second = researcher_client.get(url, {"pools_page": 2}).content.decode()
    assert "Pools 26–27 of 27" in second
    # Pools 26 and 27 by name order are on the second page's pool table.
    last = sorted(estate.pools, key=lambda p: p.name)[-1]
    assert pool_row(second, last)
