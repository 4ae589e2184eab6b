"""Team pages: the list with "My teams" first, growth from samples, detail with chart and breakdowns."""

import csv
import io
import re

import pytest

from inventory.models import Team
from inventory.services.rollups import refresh_daily_usage
from tests.dashboard.conftest import make_user

TB = 10**12


def test_team_list_full_page_with_my_teams_first(researcher_client, estate):
    response = researcher_client.get("/teams/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "My teams" in html
    mine = html.index("My teams")
    assert html.index(estate.teams[0].name, mine) < html.index("All teams")
    # Every team is listed below, with figures from SQL.
    for team in estate.teams:
        assert team.name in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-push-url="true"' in html


def test_team_list_figures(researcher_client, estate):
    refresh_daily_usage()  # growth reads the daily team rollup, which the imports maintain
    team = estate.teams[0]
    response = researcher_client.get("/teams/", {"q": team.name})
    row = response.context["page_obj"].object_list[0]
    allocations = [a for a in estate.allocations if a.project.team_id == team.pk]
    assert row.project_count == 2
    assert row.allocated_bytes == sum(a.quota_bytes for a in allocations)
    assert row.used_bytes == sum(a.used_bytes or 0 for a in allocations)
    # Samples grow 1 % of the final figure per day back: growth is 7 % and 30 % of today's usage.
    today_used = sum(a.used_bytes for a in allocations if a.used_bytes is not None)
    expected_7 = sum(a.used_bytes * 7 // 100 for a in allocations if a.used_bytes is not None)
    assert row.used_latest_day == today_used
    assert row.growth_7_bytes == expected_7
    assert row.growth_30_bytes == sum(a.used_bytes * 30 // 100 for a in allocations if a.used_bytes is not None)


def test_htmx_request_returns_only_the_table(researcher_client, estate):
    response = researcher_client.get("/teams/", {"sort": "-used"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "My teams" not in html
    assert "<table" in html and 'aria-sort="descending"' in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(researcher_client, estate):
    response = researcher_client.get("/teams/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    html = response.content.decode()
    assert "<html" in html and "My teams" in html


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [("name", "name", False), ("-name", "name", True), ("-allocated", "allocated_bytes", True)],
)
def test_team_list_sorts(researcher_client, estate_builder, sort, key, reverse):
    estate_builder(teams=4, projects_per_team=1)
    Team.objects.create(name="dScience lab", slug="dscience")  # lower case sorts among the D's
    rows = list(researcher_client.get("/teams/", {"sort": sort}).context["page_obj"])
    values = [getattr(r, key) for r in rows]
    sort_key = str.lower if key == "name" else None
    assert values == sorted(values, key=sort_key, reverse=reverse)
    if key == "name":
        assert values[-1 if reverse else 0] == "dScience lab"


def test_team_list_sorts_by_used_with_empty_last(researcher_client, estate_builder):
    estate = estate_builder(teams=3, projects_per_team=1, pools=1)
    Team.objects.create(name="Zero Team", slug="zero-team")
    for sort in ("used", "-used"):
        rows = list(researcher_client.get("/teams/", {"sort": sort}).context["page_obj"])
        assert rows[-1].slug == "zero-team"
    assert len(estate.teams) == 3


def test_team_search_and_mine(researcher_client, estate):
    response = researcher_client.get("/teams/", {"q": estate.teams[1].name})
    assert [t.pk for t in response.context["page_obj"]] == [estate.teams[1].pk]
    response = researcher_client.get("/teams/", {"mine": "on"})
    assert [t.pk for t in response.context["page_obj"]] == [estate.teams[0].pk]


def test_team_list_pages(researcher_client, estate_builder):
    estate_builder(teams=30, projects_per_team=1, pools=1)
    first = researcher_client.get("/teams/")
    second = researcher_client.get("/teams/", {"page": 2})
    assert len(first.context["page_obj"]) == 25 and len(second.context["page_obj"]) == 5
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


def test_team_csv_equals_the_filtered_rows(researcher_client, estate):
    params = {"q": "Team", "sort": "-used"}
    page = list(researcher_client.get("/teams/", params).context["page_obj"])
    response = researcher_client.get("/teams/", {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["slug"] for r in rows] == [t.slug for t in page]
    assert "used_bytes" in rows[0] and "allocated_bytes" in rows[0]
    assert rows[0]["used_bytes"] == str(page[0].used_bytes)
    assert [r["allocations_over_quota"] for r in rows] == [str(t.over_quota_count) for t in page]


def test_team_list_empty_states(researcher_client, db):
    html = researcher_client.get("/teams/").content.decode()
    assert "There are no teams yet" in html
    assert "You are not a member of any team yet" in html


def test_team_list_no_match(researcher_client, estate):
    html = researcher_client.get("/teams/", {"q": "nothing-like-this"}).content.decode()
    assert "No team matches these filters." in html and "Show all teams" in html


def test_team_detail(researcher_client, estate):
    team = estate.teams[0]
    response = researcher_client.get(f"/teams/{team.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert team.name in html
    assert '<svg class="chart"' in html and "<title" in html and "<details" in html
    assert "Used (TB)" in html
    assert "Per project" in html and "Per pool" in html and "Members" in html
    for project in estate.projects[:2]:
        assert project.code in html
    assert estate.pools[0].name in html
    assert 'role="img"' in html and "of quota used" in html
    assert "Secret justification" not in html
    assert "style=" not in html


def test_team_detail_staff_sees_justifications(staff_client, estate):
    html = staff_client.get(f"/teams/{estate.teams[0].slug}/").content.decode()
    assert "Secret justification" in html and "Requested by" in html


def test_team_detail_404(researcher_client, db):
    assert researcher_client.get("/teams/no-such-team/").status_code == 404


def test_team_detail_csv_is_the_allocations(researcher_client, estate):
    team = estate.teams[0]
    response = researcher_client.get(f"/teams/{team.slug}/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4 and {r["team"] for r in rows} == {team.slug}
    assert "justification" not in rows[0]


def test_team_pages_need_login(client, estate):
    assert client.get("/teams/").status_code == 302
    assert client.get(f"/teams/{estate.teams[0].slug}/").status_code == 302


@pytest.mark.parametrize("path", ["/teams/", "/teams/{slug}/"])
def test_query_count_is_flat(researcher_client, estate_builder, researcher, django_assert_max_num_queries, path):
    small = estate_builder(teams=2, projects_per_team=1, members=[researcher])
    url = path.format(slug=small.teams[0].slug)
    with django_assert_max_num_queries(12) as small_run:
        researcher_client.get(url)
    estate_builder(teams=40, projects_per_team=3, members=[researcher])
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        researcher_client.get(url)


# --- breaches are never hidden -----------------------------------------------------------------


def team_at_62_percent_with_one_allocation_at_106():
    """A team at 62 % of its quota overall, one of whose allocations is at 106 %; and a team with no breach."""
    from tests.inventory.factories import make_allocation, make_pool, make_project

    pool = make_pool(capacity=100 * TB)
    over = make_allocation(pool=pool, quota=5 * TB, used_bytes=5_300_000_000_000)
    team = over.project.team
    make_allocation(pool=pool, quota=10 * TB, used_bytes=4 * TB, project=make_project(team=team))
    calm = make_allocation(pool=pool, quota=10 * TB, used_bytes=9 * TB).project.team
    return team, calm, over


def test_team_list_counts_allocations_over_quota_and_sorts_by_it(researcher_client, db):
    team, calm, over = team_at_62_percent_with_one_allocation_at_106()
    html = researcher_client.get("/teams/", {"sort": "-over"}).content.decode()
    assert html.index(team.name) < html.index(calm.name)  # the breach first, though calm is fuller (90 %)
    assert 'aria-sort="descending"><a href="?sort=over"' in html
    row = html[html.index(team.name) :]
    assert "62.0 %" in row[: row.index("</tr>")]
    assert f'href="/allocations/?state=over&amp;team={team.slug}"' in row[: row.index("</tr>")]
    assert ">1 over quota</span>" in row[: row.index("</tr>")]
    calm_row = html[html.index(calm.name) :]
    assert '<span class="muted">none</span>' in calm_row[: calm_row.index("</tr>")]
    ascending = researcher_client.get("/teams/", {"sort": "over"}).content.decode()
    assert ascending.index(calm.name) < ascending.index(team.name)
    # The link lists exactly the breach.
    listed = researcher_client.get("/allocations/", {"state": "over", "team": team.slug})
    assert [a.pk for a in listed.context["page_obj"]] == [over.pk]


def test_team_page_shows_the_breach_overall_per_project_and_per_pool(researcher_client, db):
    team, _, over = team_at_62_percent_with_one_allocation_at_106()
    html = researcher_client.get(team.get_absolute_url()).content.decode()
    assert re.search(r"<dt>Allocations over quota</dt><dd><a href=\"[^\"]+\"><span class=\"badge badge-over\"", html)
    per_project = html[html.index("<h2>Per project</h2>") : html.index("<h2>Per pool</h2>")]
    assert per_project.count(">1 over quota</span>") == 1 and over.project.code in per_project
    per_pool = html[html.index("<h2>Per pool</h2>") : html.index('<h2 id="members">')]
    assert per_pool.count(">1 over quota</span>") == 1


# --- a big team (the wide shape: bench/wide.py) ---------------------------------------------------


def test_big_team_page_shows_its_largest_projects_and_pages_its_members(researcher_client, estate_builder):
    people = [make_user(f"member-{n:02d}", last_name=f"Zed{n:02d}") for n in range(10)]
    estate = estate_builder(teams=1, projects_per_team=21, pools=1, sample_days=1, members=people)
    team = estate.teams[0]
    html = researcher_client.get(team.get_absolute_url()).content.decode()
    per_project = html[html.index("<h2>Per project</h2>") : html.index("<h2>Per pool</h2>")]
    assert per_project.count('<th scope="row">') == 20
    assert "The 20 largest of 21 projects." in per_project and f"/projects/?team={team.slug}" in per_project
    # 21 investigators (managers) and 10 members: 30 on the first page, one on the second.
    members = html[html.index('<h2 id="members">') : html.index('<h2 id="allocations-heading">')]
    assert members.count("<li>") == 30 and "Members 1–30 of 31" in members
    assert 'href="?members_page=2#members"' in members
    second = researcher_client.get(team.get_absolute_url(), {"members_page": 2}).content.decode()
    members = second[second.index('<h2 id="members">') : second.index('<h2 id="allocations-heading">')]
    assert members.count("<li>") == 1 and "Members 31–31 of 31" in members
    beyond = researcher_client.get(team.get_absolute_url(), {"members_page": 9}).content.decode()
    assert "No members on this page." in beyond


def test_big_team_page_shows_the_pools_where_it_holds_most(researcher_client, estate_builder):
    estate = estate_builder(teams=1, projects_per_team=1, pools=21, sample_days=1)
    team = estate.teams[0]
    html = researcher_client.get(team.get_absolute_url()).content.decode()
    per_pool = html[html.index("<h2>Per pool</h2>") : html.index('<h2 id="members">')]
    assert per_pool.count('<th scope="row">') == 20
    assert "The 20 pools where the team holds most, of 21." in per_pool
    assert f"/allocations/?team={team.slug}&amp;status=active&amp;sort=pool" in per_pool
