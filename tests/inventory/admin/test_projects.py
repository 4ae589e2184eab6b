"""Teams and research projects through the real admin, with their inlines."""

import pytest
from django.urls import reverse

from inventory.models import Allocation, ResearchProject, TeamMembership
from tests.inventory.admin.conftest import errors_of, form_data
from tests.inventory.factories import PB, TB, make_allocation, make_pool, make_project, make_team, make_user

pytestmark = pytest.mark.django_db

PROJECT_ADD = reverse("admin:inventory_researchproject_add")
MANAGEMENT = {
    "allocations-INITIAL_FORMS": "0",
    "allocations-MIN_NUM_FORMS": "0",
    "allocations-MAX_NUM_FORMS": "1000",
}


def project_change(project):
    return reverse("admin:inventory_researchproject_change", args=[project.pk])


def project_post(team, pi, rows=(), **overrides):
    data = {
        "code": "NN9999K",
        "title": "Foundation models for sea ice",
        "team": team.pk,
        "principal_investigator": pi.pk,
        "field_of_science": "Climate",
        "status": "active",
        "start_date": "2026-01-01",
        "end_date": "2027-01-01",
        "description": "",
        "allocations-TOTAL_FORMS": str(len(rows)),
        **MANAGEMENT,
    }
    for i, row in enumerate(rows):
        defaults = {"status": "active", "start_date": "2026-01-01", "end_date": "", "quota_id": ""}
        data.update({f"allocations-{i}-{key}": value for key, value in {**defaults, **row}.items()})
    data.update(overrides)
    return data


def test_add_project_with_allocations_in_units(admin_client):
    team, pi = make_team(), make_user("pi")
    fast, bulk = make_pool(capacity=PB), make_pool(capacity=PB)
    rows = [
        {"pool": fast.pk, "quota_bytes": "250 TB", "quota_id": "/fast/nn9999k"},
        {"pool": bulk.pk, "quota_bytes": "0.5 PiB"},
    ]
    response = admin_client.post(PROJECT_ADD, project_post(team, pi, rows))
    assert response.status_code == 302, errors_of(response)
    project = ResearchProject.objects.get(code="NN9999K")
    quotas = dict(project.allocations.values_list("pool__slug", "quota_bytes"))
    assert quotas == {fast.slug: 250 * TB, bulk.slug: 2**49}


def test_project_end_before_start_is_refused_on_the_field(admin_client):
    response = admin_client.post(
        PROJECT_ADD, project_post(make_team(), make_user("pi"), start_date="2026-06-01", end_date="2026-01-01")
    )
    assert "end date must be after" in " ".join(errors_of(response)["end_date"])
    assert not ResearchProject.objects.exists()


def _row(i, pool, quota, status="active"):
    return {
        f"allocations-{i}-pool": str(pool.pk),
        f"allocations-{i}-quota_bytes": quota,
        f"allocations-{i}-status": status,
        f"allocations-{i}-start_date": "2026-01-01",
    }


def test_inline_allocation_too_big_for_its_pool_is_refused_on_the_row(admin_client):
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=800 * TB)
    project = make_project()
    data = form_data(admin_client.get(project_change(project)))
    data.update({"allocations-TOTAL_FORMS": "1", **_row(0, pool, "300 TB")})
    response = admin_client.post(project_change(project), data)
    assert response.status_code == 200
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    message = " ".join(row.errors["quota_bytes"])
    assert "800 TB is already allocated" in message and "300 TB is requested" in message
    assert not Allocation.objects.filter(project=project).exists()


def test_two_active_rows_for_one_pool_in_one_submit_are_refused(admin_client):
    pool = make_pool(capacity=PB)
    project = make_project()
    data = form_data(admin_client.get(project_change(project)))
    data.update({"allocations-TOTAL_FORMS": "2", **_row(0, pool, "10 TB"), **_row(1, pool, "20 TB")})
    response = admin_client.post(project_change(project), data)
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.forms
    assert "active too" in " ".join(rows[1].errors["pool"])
    assert not Allocation.objects.exists()

    # One active and one requested row on the same pool are fine.
    data.update(_row(1, pool, "20 TB", status="requested"))
    assert admin_client.post(project_change(project), data).status_code == 302
    assert sorted(Allocation.objects.values_list("status", flat=True)) == ["active", "requested"]


def test_inline_rows_on_a_pool_that_overfill_it_together_are_refused(admin_client):
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=400 * TB)
    first, second = make_project(), make_project()
    url = reverse("admin:inventory_storagepool_change", args=[pool.pk])
    page = admin_client.get(url)
    data = form_data(page)
    data["allocations-TOTAL_FORMS"] = "3"
    for i, project in ((1, first), (2, second)):
        data.update(
            {
                f"allocations-{i}-project": str(project.pk),
                f"allocations-{i}-quota_bytes": "400 TB",
                f"allocations-{i}-status": "active",
                f"allocations-{i}-start_date": "2026-01-01",
                f"allocations-{i}-quota_id": f"/q{i}",
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.forms
    message = " ".join(rows[2].errors["quota_bytes"])
    # The existing allocation is a row of the form too: 400 TB + 400 TB + 400 TB.
    assert "0 B is allocated outside this form" in message
    assert "total 1.20 PB" in message and "only 1.00 PB is allowed" in message
    assert Allocation.objects.count() == 1


def test_inline_duplicate_quota_id_on_a_pool_is_refused(admin_client):
    pool = make_pool(capacity=PB)
    url = reverse("admin:inventory_storagepool_change", args=[pool.pk])
    data = form_data(admin_client.get(url))
    data["allocations-TOTAL_FORMS"] = "2"
    for i in range(2):
        data.update(
            {
                f"allocations-{i}-project": str(make_project().pk),
                f"allocations-{i}-quota_bytes": "1 TB",
                f"allocations-{i}-status": "requested",
                f"allocations-{i}-start_date": "2026-01-01",
                f"allocations-{i}-quota_id": "/same",
            }
        )
    response = admin_client.post(url, data)
    rows = response.context["inline_admin_formsets"][0].formset.forms
    assert "quota identifier" in " ".join(rows[1].errors["quota_id"])
    assert not Allocation.objects.exists()


def test_change_project_title_and_history(admin_client):
    project = make_project(title="Old title")
    page = admin_client.get(project_change(project))
    response = admin_client.post(project_change(project), form_data(page, title="New title"))
    assert response.status_code == 302, errors_of(response)
    history = admin_client.get(reverse("admin:inventory_researchproject_history", args=[project.pk]))
    html = history.content.decode()
    assert "Old title" in html and "New title" in html


def test_team_with_members_inline(admin_client):
    from tests.inventory.factories import make_institution

    user = make_user("member")
    uit = make_institution(name="UiT The Arctic University of Norway", short_name="UiT")
    data = {
        "name": "Sea ice lab",
        "slug": "sea-ice-lab",
        "institution": str(uit.pk),
        "description": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": str(user.pk),
        "memberships-0-role": "manager",
        "memberships-1-user": str(user.pk),
        "memberships-1-role": "member",
    }
    response = admin_client.post(reverse("admin:inventory_team_add"), data)
    assert response.status_code == 200  # the same person twice is refused
    assert not TeamMembership.objects.exists()
    data["memberships-TOTAL_FORMS"] = "1"
    response = admin_client.post(reverse("admin:inventory_team_add"), data)
    assert response.status_code == 302
    assert TeamMembership.objects.get().role == "manager"
    assert TeamMembership.objects.get().team.institution == uit


@pytest.mark.parametrize("rows", [5, 60])
def test_project_and_team_changelists_run_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries, rows):
    pool = make_pool(capacity=PB)
    for _ in range(rows):
        make_allocation(pool=pool, project=make_project(), quota=TB, used_bytes=TB // 4)
    for url in (reverse("admin:inventory_researchproject_changelist"), reverse("admin:inventory_team_changelist")):
        with django_assert_max_num_queries(15):
            response = admin_client.get(url)
        assert response.context["cl"].result_count == rows
        per_page = 50 if url == reverse("admin:inventory_researchproject_changelist") else 100
        assert len(response.context["cl"].result_list) == min(rows, per_page)


def test_project_list_has_no_filter_link_per_team_and_finds_a_team_by_search(admin_client):
    url = reverse("admin:inventory_researchproject_changelist")
    wanted = make_project(team=make_team(name="Vision Lab"))
    make_project(team=make_team(name="Speech Lab"))
    response = admin_client.get(url)
    # A link per team was 6,000 links (and ~175 ms of rendering) at national scale.
    assert [spec.title for spec in response.context["cl"].filter_specs] == ["status", "started", "field of science"]
    assert response.context["cl"].date_hierarchy is None
    found = admin_client.get(url, {"q": "Vision"}).context["cl"].result_list
    assert [project.pk for project in found] == [wanted.pk]


def test_team_list_counts_members_and_projects(admin_client):
    team, other = make_team(), make_team()
    for _ in range(3):
        make_project(team=team)
    TeamMembership.objects.create(team=team, user=make_user("member"), role="member")
    teams = admin_client.get(reverse("admin:inventory_team_changelist")).context["cl"].result_list
    counts = {row.pk: (row.member_total, row.project_total) for row in teams}
    assert counts[team.pk] == (1, 3)
    assert counts[other.pk] == (0, 0)


def test_activating_in_an_inline_row_records_who_approved_and_when(admin_client, infra_admin):
    team, pi = make_team(), make_user("pi")
    pool = make_pool(capacity=PB)
    response = admin_client.post(PROJECT_ADD, project_post(team, pi, [{"pool": pool.pk, "quota_bytes": "10 TB"}]))
    assert response.status_code == 302, errors_of(response)
    allocation = ResearchProject.objects.get(code="NN9999K").allocations.get()
    assert allocation.status == "active"
    assert allocation.approved_by == infra_admin
    assert allocation.approved_at is not None
