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


def test_project_csv_equals_filtered_rows(researcher_client, estate):
    params = {"team": estate.teams[0].slug, "sort": "-code"}
    page = list(researcher_client.get("/projects/", params).context["page_obj"])
    response = researcher_client.get("/projects/", {**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["code"] for r in rows] == [p.code for p in page]
    assert rows[0]["allocated_bytes"] == str(page[0].allocated_bytes)


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
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
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
