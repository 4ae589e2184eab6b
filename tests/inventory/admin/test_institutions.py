"""Institutions and tier prices in the real admin: infrastructure admins edit them, managers only look."""

import pytest
from django.urls import reverse

from inventory.models import Institution, TierPrice
from tests.inventory.factories import TB, make_allocation, make_institution, make_pool, make_project, make_team

pytestmark = pytest.mark.django_db


def test_infrastructure_admin_adds_an_institution_and_sets_a_teams(admin_client):
    response = admin_client.post(
        reverse("admin:inventory_institution_add"), {"name": "University of Oslo", "slug": "uio", "short_name": "UiO"}
    )
    assert response.status_code == 302
    uio = Institution.objects.get(slug="uio")
    team = make_team()
    team.institution = uio
    team.save()
    assert list(uio.teams.all()) == [team]


def test_institution_list_shows_its_teams_figures(admin_client):
    uio = make_institution(name="University of Oslo", slug="uio", short_name="UiO")
    pool = make_pool()
    make_allocation(pool=pool, project=make_project(team=make_team(institution=uio)), quota=7 * TB)
    make_allocation(pool=pool, project=make_project(team=make_team(institution=uio)), quota=5 * TB)
    response = admin_client.get(reverse("admin:inventory_institution_changelist"))
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.team_total, row.allocated_bytes) == (2, 12 * TB)
    assert "12.0 TB" in response.content.decode()


def test_teams_search_by_institution_name(admin_client):
    make_team(name="Sea ice lab", institution=make_institution(name="UiT The Arctic University of Norway"))
    make_team(name="Other lab")
    response = admin_client.get(reverse("admin:inventory_team_changelist"), {"q": "arctic"})
    assert [t.name for t in response.context["cl"].result_list] == ["Sea ice lab"]


def test_tier_prices_share_one_currency(admin_client):
    add = reverse("admin:inventory_tierprice_add")
    response = admin_client.post(add, {"tier": "performance", "price_per_tb_month": "120", "currency": "NOK"})
    assert response.status_code == 302
    response = admin_client.post(add, {"tier": "archive", "price_per_tb_month": "8", "currency": "EUR"})
    assert response.status_code == 200
    assert "Every tier is priced in NOK" in response.content.decode()
    response = admin_client.post(add, {"tier": "archive", "price_per_tb_month": "-1", "currency": "NOK"})
    assert response.status_code == 200 and not TierPrice.objects.filter(tier="archive").exists()


def test_managers_view_but_do_not_edit(manager_client):
    make_institution(name="NTNU", slug="ntnu")
    assert manager_client.get(reverse("admin:inventory_institution_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:inventory_tierprice_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:inventory_institution_add")).status_code == 403
    assert manager_client.get(reverse("admin:inventory_tierprice_add")).status_code == 403
