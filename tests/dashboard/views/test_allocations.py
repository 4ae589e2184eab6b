"""The allocation list: every filter, threshold states against each pool's thresholds, sort, search, CSV."""

import csv
import io

import pytest

from inventory.models import Allocation, StoragePool
from inventory.thresholds import threshold_state


def codes(response):
    return [a.pk for a in response.context["page_obj"]]


def test_allocation_list_full_and_partial(researcher_client, estate):
    full = researcher_client.get("/allocations/")
    html = full.content.decode()
    assert "<html" in html and "Threshold" in html
    assert 'role="img"' in html and "style=" not in html
    partial = researcher_client.get("/allocations/", {"page": 1}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "<table" in partial.content.decode()


@pytest.mark.parametrize("state", ["ok", "warning", "critical", "over", "none"])
def test_threshold_state_filter(researcher_client, estate, state):
    response = researcher_client.get("/allocations/", {"state": state})
    rows = list(response.context["page_obj"])
    # Each row against its own pool's thresholds (the page's rows carry the figures, not the state).
    assert rows and all(
        threshold_state(a.used_bytes, a.quota_bytes, a.pool.warning_threshold, a.pool.critical_threshold) == state
        for a in rows
    )
    assert len(rows) == sum(1 for a in estate.allocations if _state(a) == state)


def _state(allocation):
    return threshold_state(allocation.used_bytes, allocation.quota_bytes)


def test_threshold_state_uses_each_pools_thresholds(researcher_client, estate):
    # At 85 % an allocation is "warning" by default, "critical" on a pool whose critical threshold is 84 %.
    pool = estate.pools[1]
    StoragePool.objects.filter(pk=pool.pk).update(warning_threshold=70, critical_threshold=84)
    warning_85 = [a for a in estate.allocations if _state(a) == "warning"]
    on_strict_pool = {a.pk for a in warning_85 if a.pool_id == pool.pk}
    assert on_strict_pool
    critical = set(codes(researcher_client.get("/allocations/", {"state": "critical"})))
    assert on_strict_pool <= critical
    html = researcher_client.get("/allocations/", {"state": "critical", "pool": pool.slug}).content.decode()
    assert "fill fill-critical" in html


def test_status_pool_team_filters(researcher_client, estate):
    expired = estate.allocations[0]
    Allocation.objects.filter(pk=expired.pk).update(status="expired")
    assert codes(researcher_client.get("/allocations/", {"status": "expired"})) == [expired.pk]
    pool = estate.pools[0]
    rows = researcher_client.get("/allocations/", {"pool": pool.slug}).context["page_obj"]
    assert {a.pool_id for a in rows} == {pool.pk}
    team = estate.teams[2]
    rows = researcher_client.get("/allocations/", {"team": team.slug}).context["page_obj"]
    assert {a.project.team_id for a in rows} == {team.pk} and len(rows) == 4
    combined = researcher_client.get("/allocations/", {"team": team.slug, "pool": pool.slug})
    assert len(combined.context["page_obj"]) == 2


def test_team_filter_by_name_words_and_unknown_team(researcher_client, estate):
    team = estate.teams[2]
    number = team.slug.rsplit("-", 1)[1]
    rows = researcher_client.get("/allocations/", {"team": f"team {number}"}).context["page_obj"]
    assert {a.project.team_id for a in rows} == {team.pk} and len(rows) == 4
    response = researcher_client.get("/allocations/", {"team": "no-such-team"})
    assert len(response.context["page_obj"]) == 0
    assert "No allocation matches these filters." in response.content.decode()
    html = researcher_client.get("/allocations/").content.decode()
    assert '<select name="team"' not in html and '<input type="search" name="team"' in html


def test_team_filter_in_csv(researcher_client, estate):
    team = estate.teams[1]
    response = researcher_client.get("/allocations/", {"team": team.slug, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4 and {r["team"] for r in rows} == {team.slug}


def test_unknown_filter_value_is_reported(researcher_client, estate):
    html = researcher_client.get("/allocations/", {"status": "no-such-status"}).content.decode()
    assert "Select a valid choice" in html


def test_pool_filter_is_a_text_box_by_slug_or_words(researcher_client, estate):
    pool = estate.pools[1]
    html = researcher_client.get("/allocations/").content.decode()
    # Never one option per pool: hundreds of pools would make every list page slow (the wide shape).
    assert '<select name="pool"' not in html and '<input type="search" name="pool"' in html
    by_slug = researcher_client.get("/allocations/", {"pool": pool.slug}).context["page_obj"]
    assert len(by_slug) and {a.pool_id for a in by_slug} == {pool.pk}
    by_words = researcher_client.get("/allocations/", {"pool": f"{pool.array.name} {pool.name}"}).context["page_obj"]
    assert {a.pool_id for a in by_words} == {pool.pk}
    response = researcher_client.get("/allocations/", {"pool": "no-such-pool"})
    assert len(response.context["page_obj"]) == 0
    assert "No allocation matches these filters." in response.content.decode()


def test_search(researcher_client, estate):
    project = estate.projects[4]
    rows = researcher_client.get("/allocations/", {"q": project.code}).context["page_obj"]
    assert {a.project_id for a in rows} == {project.pk}


def test_sort_by_percent_keeps_no_usage_last(researcher_client, estate):
    for sort in ("percent", "-percent"):
        rows = list(researcher_client.get("/allocations/", {"sort": sort}).context["page_obj"])
        values = [a.used_percent for a in rows]
        known = [v for v in values if v is not None]
        assert known == sorted(known, reverse=sort.startswith("-"))
        assert values[-1] is None


def test_paging(researcher_client, estate_builder):
    estate_builder(teams=15, projects_per_team=1, pools=2)  # 30 allocations
    assert len(researcher_client.get("/allocations/").context["page_obj"]) == 25
    assert len(researcher_client.get("/allocations/", {"page": 2}).context["page_obj"]) == 5
    assert len(researcher_client.get("/allocations/", {"page": "junk"}).context["page_obj"]) == 25


def test_csv_equals_filtered_rows_and_hides_staff_columns(researcher_client, estate):
    params = {"state": "warning", "sort": "-used"}
    page = list(researcher_client.get("/allocations/", params).context["page_obj"])
    response = researcher_client.get("/allocations/", {**params, "format": "csv"})
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["project_code"], r["pool"]) for r in rows] == [(a.project.code, a.pool.slug) for a in page]
    assert rows[0]["used_bytes"] == str(page[0].used_bytes) and rows[0]["quota_bytes"] == str(page[0].quota_bytes)
    assert "justification" not in rows[0] and "requested_by" not in rows[0]
    assert "Secret justification" not in text


def test_staff_sees_requesters_and_justifications(staff_client, estate):
    html = staff_client.get("/allocations/").content.decode()
    assert "Secret justification" in html and "Requested by" in html
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(staff_client.get("/allocations/", {"format": "csv"}).streaming_content).decode())
        )
    )
    assert rows[0]["justification"].startswith("Secret justification") and rows[0]["requested_by"]


def test_researcher_does_not_see_staff_details(researcher_client, estate):
    html = researcher_client.get("/allocations/").content.decode()
    assert "Secret justification" not in html and "Requested by" not in html
    assert estate.array.serial_number not in html


def test_empty_states(researcher_client, db):
    assert "There are no allocations yet" in researcher_client.get("/allocations/").content.decode()


def test_units_toggle_changes_tb_to_tib(researcher_client, estate):
    assert "10.0 TB" in researcher_client.get("/allocations/").content.decode()
    researcher_client.post("/preferences/units/", {"next": "/allocations/"})
    html = researcher_client.get("/allocations/").content.decode()
    assert "9.09 TiB" in html and "10.0 TB" not in html


def test_query_count_is_flat(researcher_client, estate_builder, django_assert_max_num_queries):
    estate_builder(teams=2, projects_per_team=1)
    with django_assert_max_num_queries(12) as small_run:
        researcher_client.get("/allocations/", {"state": "warning", "sort": "-used"})
    estate_builder(teams=30, projects_per_team=2)
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        researcher_client.get("/allocations/", {"state": "warning", "sort": "-used"})


@pytest.mark.parametrize("path", ["/teams/", "/projects/", "/allocations/"])
def test_bad_parameters_are_reported_not_fatal(researcher_client, estate, path):
    response = researcher_client.get(path, {"sort": "bogus", "page": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # Out-of-range pages show the last page rather than an error.
    assert response.context["page_obj"].number == response.context["page_obj"].paginator.num_pages


def test_staff_see_allocations_whose_requester_was_deleted(staff_client, estate):
    Allocation.objects.filter(pk=estate.allocations[0].pk).update(requested_by=None)
    response = staff_client.get("/allocations/")
    assert response.status_code == 200
    pool = estate.allocations[0].pool
    assert staff_client.get(f"/storage/{pool.array.slug}/{pool.slug}/").status_code == 200


def test_quota_drift_is_shown_where_the_array_enforces_another_limit(researcher_client, estate):
    drifted, exact = estate.allocations[0], estate.allocations[1]
    Allocation.objects.filter(pk=drifted.pk).update(enforced_quota_bytes=drifted.quota_bytes + 10**13)
    Allocation.objects.filter(pk=exact.pk).update(enforced_quota_bytes=exact.quota_bytes)
    html = researcher_client.get("/allocations/?per_page=100").content.decode()
    assert html.count("array enforces") == 1
    from inventory.units import format_capacity

    assert f"array enforces {format_capacity(drifted.quota_bytes + 10**13)}" in html


@pytest.mark.parametrize("client_name", ["researcher_client", "staff_client"])
def test_csv_reads_its_columns_in_one_query_whatever_the_size(
    request, client_name, estate_builder, django_assert_max_num_queries
):
    # The download reads only the columns it writes (a narrow sort); a column left out of that list would
    # be fetched row by row.
    client = request.getfixturevalue(client_name)
    estate_builder(teams=2, projects_per_team=1)
    with django_assert_max_num_queries(12) as small_run:
        small = b"".join(client.get("/allocations/", {"format": "csv"}).streaming_content).decode()
    estate_builder(teams=30, projects_per_team=2)
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        large = b"".join(client.get("/allocations/", {"format": "csv"}).streaming_content).decode()
    assert len(large.splitlines()) > len(small.splitlines()) > 1
