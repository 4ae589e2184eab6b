"""CSV exports: text a spreadsheet would run as a formula is neutralised in every export; numbers stay numbers."""

import csv
import io

import pytest
from django.utils import timezone

from inventory.models import Allocation, Institution, ResearchProject, Team
from tests.dashboard.conftest import build_estate

FORMULAS = {
    "team": '=HYPERLINK("http://evil.example","click")',
    "title": "-2+3+cmd|' /C calc'!A0",
    "quota_id": "@SUM(1+1)*cmd|' /C calc'!A0",
    "justification": "\t=1+1",
    "institution": "\r=3+3",
    "pi": "+cmd|' /C calc'!A0",
}


@pytest.fixture
def poisoned(staff_user):
    estate = build_estate(teams=1, projects_per_team=1, pools=1, members=[staff_user])
    team, project, allocation = estate.teams[0], estate.projects[0], estate.allocations[0]
    Team.objects.filter(pk=team.pk).update(name=FORMULAS["team"])
    Institution.objects.filter(teams=team).update(name=FORMULAS["institution"])
    ResearchProject.objects.filter(pk=project.pk).update(title=FORMULAS["title"])
    Allocation.objects.filter(pk=allocation.pk).update(
        quota_id=FORMULAS["quota_id"], justification=FORMULAS["justification"]
    )
    project.principal_investigator.first_name = FORMULAS["pi"]
    project.principal_investigator.last_name = ""
    project.principal_investigator.save()
    return estate


def _cells(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return [cell for row in csv.reader(io.StringIO(b"".join(response.streaming_content).decode())) for cell in row]


def _exports(estate):
    array, pool = estate.array, estate.pools[0]
    return [
        "/teams/",
        "/projects/",
        "/allocations/",
        f"/teams/{estate.teams[0].slug}/",
        f"/projects/{estate.projects[0].code}/",
        f"/storage/{array.slug}/",
        f"/storage/{array.slug}/{pool.slug}/",
    ]


@pytest.mark.django_db
def test_no_export_has_a_cell_that_starts_a_formula(staff_client, poisoned):
    seen = set()
    for path in _exports(poisoned):
        cells = _cells(staff_client.get(path, {"format": "csv"}))
        for cell in cells:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path, cell)
            if cell.startswith("-"):
                float(cell)  # only numbers may start with a minus
        seen.update(cell for cell in cells if cell.startswith("'"))
    # Each poisoned value is still there, as typed, behind the quote.
    for name, value in FORMULAS.items():
        assert "'" + value in seen, name


@pytest.mark.django_db
def test_numbers_stay_numbers_negative_ones_included(staff_client, poisoned):
    Institution.objects.filter(teams=poisoned.teams[0]).update(name="-5")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(staff_client.get("/teams/", {"format": "csv"}).streaming_content).decode()))
    )
    assert rows[0]["institution"] == "-5"
    assert int(rows[0]["allocated_bytes"]) == sum(a.quota_bytes for a in poisoned.allocations)


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="'), disposition
    return disposition.split('filename="')[1].rstrip('"')


def test_csv_file_names_carry_the_day_the_scope_and_the_filters(staff_client, estate):
    from django.utils import timezone

    today = timezone.now().date().isoformat()
    team, project, array, pool = estate.teams[0], estate.projects[0], estate.array, estate.pools[0]
    expected = {
        f"/allocations/?format=csv&team={team.slug}&sort=-used&page=2": f"allocations-{today}-team-{team.slug}.csv",
        "/allocations/?format=csv&status=active&state=over": f"allocations-{today}-state-over-status-active.csv",
        "/allocations/?format=csv": f"allocations-{today}.csv",
        "/teams/?format=csv&q=Oslo Lab": f"teams-{today}-q-oslo-lab.csv",
        "/projects/?format=csv": f"projects-{today}.csv",
        f"{team.get_absolute_url()}?format=csv": f"allocations-{today}-team-{team.slug}.csv",
        f"{project.get_absolute_url()}?format=csv": f"allocations-{today}-project-{project.code.lower()}.csv",
        f"/storage/{array.slug}/?format=csv&pool={pool.slug}": f"allocations-{today}-array-{array.slug}-pool-{pool.slug}.csv",
        f"/storage/{array.slug}/{pool.slug}/?format=csv": f"allocations-{today}-pool-{array.slug}-{pool.slug}.csv",
    }
    for url, name in expected.items():
        assert _filename(staff_client.get(url)) == name, url


def test_a_long_filter_does_not_make_a_name_too_long(researcher_client, estate):
    response = researcher_client.get("/allocations/", {"format": "csv", "q": "x" * 400})
    assert len(_filename(response)) <= 154


@pytest.mark.django_db
def test_large_csv_streams_in_chunks_with_its_dated_name(researcher_client, estate_builder, monkeypatch):
    from dashboard import tables

    monkeypatch.setattr(tables, "CSV_FIRST_CHUNK_ROWS", 2)
    monkeypatch.setattr(tables, "CSV_CHUNK_ROWS", 5)
    estate_builder(teams=6, projects_per_team=1, pools=2)  # 12 allocations
    response = researcher_client.get("/allocations/", {"format": "csv", "status": "active"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="allocations-{today}-status-active.csv"'
    chunks = list(response.streaming_content)
    lines = b"".join(chunks).decode().splitlines()
    # The header and 12 rows, sent as they are read rather than built whole first: the header with the first
    # 2 rows at once, then 5 rows a chunk.
    assert len(lines) == 13 and [chunk.count(b"\n") for chunk in chunks] == [3, 5, 5]
