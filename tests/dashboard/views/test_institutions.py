"""Institution pages: every institution's totals (inventory.figures, in SQL) and one institution's teams."""

import pytest

from inventory.models import Allocation, Institution, Team

TB = 10**12


def _active(allocations, teams):
    ids = {t.pk for t in teams}
    return [a for a in allocations if a.project.team_id in ids and a.status == Allocation.Status.ACTIVE]


@pytest.mark.django_db
def test_list_shows_each_institutions_totals(researcher_client, estate_builder):
    first = estate_builder(teams=2, projects_per_team=2, pools=2)
    second = estate_builder(teams=1, projects_per_team=1, pools=1)
    response = researcher_client.get("/institutions/")
    assert response.status_code == 200
    rows = {i.slug: i for i in response.context["page_obj"]}
    for estate in (first, second):
        institution = estate.teams[0].institution
        row = rows[institution.slug]
        allocations = _active(estate.allocations, estate.teams)
        assert row.team_count == len(estate.teams)
        assert row.project_count == len(estate.projects)
        assert row.allocated_bytes == sum(a.quota_bytes for a in allocations)
        assert row.used_bytes == sum(a.used_bytes or 0 for a in allocations)
        assert row.not_reporting_count == sum(1 for a in allocations if a.used_bytes is None)
        assert institution.name in response.content.decode()


@pytest.mark.django_db
def test_detail_lists_the_institutions_teams_only(researcher_client, estate_builder):
    mine = estate_builder(teams=2, projects_per_team=1)
    other = estate_builder(teams=1, projects_per_team=1)
    institution = mine.teams[0].institution
    response = researcher_client.get(f"/institutions/{institution.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [t.name for t in response.context["page_obj"]] == sorted(t.name for t in mine.teams)
    assert other.teams[0].name not in html
    assert response.context["institution"].allocated_bytes == sum(
        a.quota_bytes for a in _active(mine.allocations, mine.teams)
    )
    # Team pages link back to their institution.
    team_page = researcher_client.get(mine.teams[0].get_absolute_url()).content.decode()
    assert f'href="/institutions/{institution.slug}/"' in team_page


@pytest.mark.django_db
def test_an_institution_without_teams_and_an_unknown_one(researcher_client):
    Institution.objects.create(name="UiT The Arctic University of Norway", slug="uit", short_name="UiT")
    response = researcher_client.get("/institutions/uit/")
    assert response.status_code == 200
    assert "No team belongs to this institution yet" in response.content.decode()
    assert researcher_client.get("/institutions/nowhere/").status_code == 404


@pytest.mark.django_db
def test_teams_are_found_by_their_institutions_name(researcher_client, estate_builder):
    estate = estate_builder(teams=1, projects_per_team=1)
    Institution.objects.filter(teams=estate.teams[0]).update(name="Norwegian University of Life Sciences")
    Team.objects.create(name="Unrelated lab", slug="unrelated-lab")
    response = researcher_client.get("/teams/", {"q": "life sciences"})
    assert [t.name for t in response.context["page_obj"]] == [estate.teams[0].name]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/institutions/", "/institutions/{slug}/"])
def test_query_count_is_flat(researcher_client, estate_builder, django_assert_max_num_queries, path):
    small = estate_builder(teams=1, projects_per_team=1)
    url = path.format(slug=small.teams[0].institution.slug)
    with django_assert_max_num_queries(10) as small_run:
        assert researcher_client.get(url).status_code == 200
    for _ in range(3):
        estate_builder(teams=12, projects_per_team=2)
    Team.objects.update(institution=small.teams[0].institution)  # the detail page lists every team
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        assert researcher_client.get(url).status_code == 200
