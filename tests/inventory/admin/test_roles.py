"""Both admin roles (inventory/roles.py) can pick people in admin forms (the user autocompletes), without superuser rights."""

import pytest
from django.contrib.auth import get_user_model

from inventory.models import ResearchProject, TeamMembership
from tests.inventory.factories import make_team, make_user

pytestmark = pytest.mark.django_db


def autocomplete(client, model_name: str, field_name: str, term: str):
    return client.get(
        "/admin/autocomplete/",
        {"app_label": "inventory", "model_name": model_name, "field_name": field_name, "term": term},
    )


def test_an_infrastructure_admin_creates_a_project_picking_its_investigator_by_search(admin_client):
    team = make_team()
    pi = get_user_model().objects.create_user("grace.hopper", "grace@example.org")
    assert admin_client.get("/admin/inventory/researchproject/add/").status_code == 200
    response = autocomplete(admin_client, "researchproject", "principal_investigator", "grace")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["text"] for result in results] == ["grace.hopper"]
    response = admin_client.post(
        "/admin/inventory/researchproject/add/",
        {
            "code": "NN4242K",
            "title": "Compilers for climate models",
            "team": team.pk,
            "principal_investigator": results[0]["id"],
            "status": "active",
            "start_date": "2026-01-01",
            "allocations-TOTAL_FORMS": "0",
            "allocations-INITIAL_FORMS": "0",
            "allocations-MIN_NUM_FORMS": "0",
            "allocations-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert ResearchProject.objects.get(code="NN4242K").principal_investigator == pi


def test_an_infrastructure_admin_finds_a_new_team_member(admin_client):
    team = make_team()
    member = make_user("ada")
    response = autocomplete(admin_client, "teammembership", "user", member.username)
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(member.pk)]
    assert not TeamMembership.objects.filter(team=team).exists()


def test_an_allocation_manager_finds_who_requested_an_allocation(manager_client):
    requester = make_user("requester")
    response = autocomplete(manager_client, "allocation", "requested_by", requester.username)
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(requester.pk)]


def test_picking_users_is_all_the_roles_may_do_with_them(admin_client, manager_client):
    user = make_user("someone")
    for client in (admin_client, manager_client):
        assert client.get(f"/admin/auth/user/{user.pk}/change/").status_code == 200  # read-only view
        response = client.post(f"/admin/auth/user/{user.pk}/change/", {"username": "renamed", "is_superuser": "on"})
        assert response.status_code == 403
        assert client.get("/admin/auth/user/add/").status_code == 403
    user.refresh_from_db()
    assert user.username.startswith("someone") and not user.is_superuser
