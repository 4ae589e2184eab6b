"""Project pages: list with filters and CSV, detail with allocations, usage chart and investigator."""

import csv
import io

import pytest

from inventory.models import ResearchProject


def test_project_list_full_and_partial(researcher_client, estate):
    full = researcher_client.get("/projects/").content.decode()
    assert "<html" in full and "Research projects" in full
    for project in estate.projects:
        assert project.code in full
    partial = researcher_client.get("/projects/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "<table" in partial and estate.projects[0].code in partial


def test_project_list_filters(researcher_client, estate):
    team = estate.teams[1]
    rows = researcher_client.get("/projects/", {"team": team.slug}).context["page_obj"]
    assert {p.team_id for p in rows} == {team.pk} and len(rows) == 2
    ResearchProject.objects.filter(pk=estate.projects[0].pk).update(status="suspended")
    rows = researcher_client.get("/projects/", {"status": "suspended"}).context["page_obj"]
    assert [p.pk for p in rows] == [estate.projects[0].pk]
    rows = researcher_client.get("/projects/", {"q": estate.projects[3].code}).context["page_obj"]
    assert [p.pk for p in rows] == [estate.projects[3].pk]
    # The investigator's surname finds their project.
    pi = estate.projects[2].principal_investigator
    rows = researcher_client.get("/projects/", {"q": pi.last_name}).context["page_obj"]
    assert [p.pk for p in rows] == [estate.projects[2].pk]
    rows = researcher_client.get("/projects/", {"mine": "on"}).context["page_obj"]
    assert {p.team_id for p in rows} == {estate.teams[0].pk}


def test_project_list_figures_and_sort(researcher_client, estate):
    rows = list(researcher_client.get("/projects/", {"sort": "-percent"}).context["page_obj"])
    percents = [r.used_percent for r in rows if r.used_percent is not None]
    assert percents == sorted(percents, reverse=True)
    project = estate.projects[0]
    row = next(r for r in rows if r.pk == project.pk)
    allocations = [a for a in estate.allocations if a.project_id == project.pk]
    assert row.allocated_bytes == sum(a.quota_bytes for a in allocations)
    assert row.allocation_count == len(allocations)


def test_team_filter_is_a_text_box_not_a_select(researcher_client, estate):
    # A <select> of every team cost ~300 ms per page at national scale (6,000 teams).
    html = researcher_client.get("/projects/").content.decode()
    assert '<select name="team"' not in html and '<input type="search" name="team"' in html
    assert estate.teams[1].name not in html.split('<div id="results"')[0]
    team = estate.teams[1]
    filtered = researcher_client.get("/projects/", {"team": team.slug}).content.decode()
    assert f'name="team" value="{team.slug}"' in filtered


def test_team_filter_by_slug_or_name_words(researcher_client, estate):
    team = estate.teams[2]  # "Team <batch>-003"
    batch, number = team.name.split()[1].split("-")

    def teams(value):
        return {p.team_id for p in researcher_client.get("/projects/", {"team": value}).context["page_obj"]}

    assert teams(team.slug) == {team.pk}
    # Words of the name, in any order and case; each word may be in the name or the slug.
    assert teams(f"{number} TEAM") == {team.pk}
    assert teams(f"team {batch}") == {t.pk for t in estate.teams}
    assert teams("  ") == {t.pk for t in estate.teams}
    assert teams("no-such-team") == set()
    html = researcher_client.get("/projects/", {"team": "no-such-team"}).content.decode()
    assert "No project matches these filters." in html


def test_team_slug_means_that_team_only(researcher_client, estate_builder, researcher):
    # "ai" is one team's slug and also part of another team's name: the slug wins.
    estate = estate_builder(teams=2, projects_per_team=1)
    first, second = estate.teams
    first.slug = "ai"
    first.save()
    second.name = "Applied AI lab"
    second.save()
    rows = researcher_client.get("/projects/", {"team": "ai"}).context["page_obj"]
    assert {p.team_id for p in rows} == {first.pk}
    rows = researcher_client.get("/projects/", {"team": "AI lab"}).context["page_obj"]
    assert {p.team_id for p in rows} == {second.pk}


def test_project_csv_equals_filtered_rows(researcher_client, estate):
    params = {"team": estate.teams[0].slug, "sort": "-code"}
    page = list(researcher_client.get("/projects/", params).context["page_obj"])
    response = researcher_client.get("/projects/", {**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["code"] for r in rows] == [p.code for p in page]
    assert rows[0]["allocated_bytes"] == str(page[0].allocated_bytes)
    assert [r["allocations_over_quota"] for r in rows] == [str(p.over_quota_count) for p in page]


def test_project_list_empty_and_no_match(researcher_client, db):
    assert "There are no research projects yet" in researcher_client.get("/projects/").content.decode()
    html = researcher_client.get("/projects/", {"q": "zzz"}).content.decode()
    assert "No project matches these filters." in html


def test_project_detail(researcher_client, estate):
    project = estate.projects[0]
    html = researcher_client.get(f"/projects/{project.code}/").content.decode()
    assert project.title in html
    assert project.principal_investigator.get_full_name() in html
    assert '<svg class="chart"' in html and "Usage over time" in html
    assert estate.pools[0].name in html and "of quota used" in html
    assert "Secret justification" not in html and "Requested by" not in html
    assert project.principal_investigator.email not in html


def test_project_detail_staff_details(staff_client, estate):
    project = estate.projects[0]
    html = staff_client.get(f"/projects/{project.code}/").content.decode()
    assert "Secret justification" in html and "Requested by" in html
    assert project.principal_investigator.email in html


def test_project_detail_chart_in_binary_units(researcher_client, estate):
    project = estate.projects[0]
    assert "Used (TB)" in researcher_client.get(f"/projects/{project.code}/").content.decode()
    researcher_client.post("/preferences/units/", {"next": "/"})
    html = researcher_client.get(f"/projects/{project.code}/").content.decode()
    assert "Used (TiB)" in html and "Used (TB)" not in html


def test_project_detail_404(researcher_client, db):
    assert researcher_client.get("/projects/NOPE999/").status_code == 404


def test_project_detail_csv(researcher_client, staff_client, estate):
    project = estate.projects[0]
    response = staff_client.get(f"/projects/{project.code}/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["project_code"] for r in rows} == {project.code} and len(rows) == 2
    assert rows[0]["justification"].startswith("Secret justification")


@pytest.mark.parametrize("path", ["/projects/", "/projects/{code}/"])
def test_query_count_is_flat(researcher_client, estate_builder, django_assert_max_num_queries, path):
    small = estate_builder(teams=2, projects_per_team=1)
    url = path.format(code=small.projects[0].code)
    with django_assert_max_num_queries(12) as small_run:
        researcher_client.get(url)
    estate_builder(teams=30, projects_per_team=3)
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        researcher_client.get(url)


def test_projects_show_allocations_over_quota_and_sort_by_them(researcher_client, db):
    from tests.inventory.factories import TB, make_allocation, make_pool

    pool, other_pool = make_pool(capacity=100 * TB), make_pool(capacity=100 * TB)
    over = make_allocation(pool=pool, quota=5 * TB, used_bytes=5_300_000_000_000)
    make_allocation(pool=other_pool, quota=10 * TB, used_bytes=4 * TB, project=over.project)
    calm = make_allocation(pool=pool, quota=10 * TB, used_bytes=9 * TB).project
    html = researcher_client.get("/projects/", {"sort": "-over"}).content.decode()
    assert html.index(over.project.code) < html.index(calm.code)
    row = html[html.index(over.project.code) :]
    row = row[: row.index("</tr>")]
    assert "62.0 %" in row and ">1 over quota</span>" in row
    detail = researcher_client.get(over.project.get_absolute_url()).content.decode()
    assert "<dt>Allocations over quota</dt>" in detail and ">1 over quota</span>" in detail
    assert '<h2 id="allocations-heading">Allocations</h2>' in detail
