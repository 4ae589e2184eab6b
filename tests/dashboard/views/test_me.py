"""A person's own page (/me/) and where signing in lands."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from approvals.services import request_allocation
from inventory.models import Allocation, StoragePool
from tests.dashboard.conftest import build_estate
from tests.inventory.factories import TB, make_user


def test_a_researcher_sees_their_teams_allocations_with_forecasts(researcher_client, estate):
    mine = [a for a in estate.allocations if a.project.team_id == estate.teams[0].pk]
    response = researcher_client.get("/me/")
    page = response.context["page"]
    assert {a.pk for a in page.allocations} == {a.pk for a in mine}
    filling = next(a for a in page.allocations if a.used_bytes and a.used_bytes < a.quota_bytes)
    # 1 % of today's figure a day (tests/dashboard/conftest.py): the line reaches the quota in
    # (quota − used) ÷ (used ÷ 100) days.
    expected = (filling.quota_bytes - filling.used_bytes) / (filling.used_bytes / 100)
    assert filling.forecast.days_until_full == pytest.approx(expected, rel=0.01)
    html = response.content.decode()
    assert estate.teams[0].get_absolute_url() in html and estate.teams[1].name not in html
    for project in estate.projects[:2]:
        assert project.get_absolute_url() in html


def test_allocations_ending_within_60_days(researcher_client, estate):
    today = timezone.localdate()
    soon, later = [a for a in estate.allocations if a.project.team_id == estate.teams[0].pk][:2]
    Allocation.objects.filter(pk=soon.pk).update(end_date=today + datetime.timedelta(days=59))
    Allocation.objects.filter(pk=later.pk).update(end_date=today + datetime.timedelta(days=61))
    page = researcher_client.get("/me/").context["page"]
    assert [a.pk for a in page.ending_soon] == [soon.pk]
    assert "(in 59 days)" in researcher_client.get("/me/").content.decode()


def test_their_requests_with_state(researcher_client, researcher, estate):
    StoragePool.objects.filter(pk=estate.pools[0].pk).update(open_for_requests=True)
    project = estate.projects[0]
    Allocation.objects.filter(project=project, pool=estate.pools[0]).update(status="expired")
    request_allocation(
        project=project,
        pool=StoragePool.objects.get(pk=estate.pools[0].pk),
        quota_bytes=7 * TB,
        end_date=None,
        justification="More",
        requested_by=researcher,
    )
    html = researcher_client.get("/me/").content.decode()
    assert "Your requests" in html and "Pending" in html and "7.00 TB" in html


def test_empty_states(client, db):
    client.force_login(make_user("newcomer"))
    html = client.get("/me/").content.decode()
    assert "Your teams have no active allocations." in html
    assert "No pending or recently decided requests." in html
    assert "You are not in any team yet." in html


def test_signing_in_lands_researchers_on_their_page_and_staff_on_the_overview(client, db):
    # With a password of their own (builders make users without one).
    get_user_model().objects.create_user("rosa", password="pw-12345-long")
    get_user_model().objects.create_user("sam", password="pw-12345-long", is_staff=True)
    response = client.post("/accounts/login/", {"username": "rosa", "password": "pw-12345-long"}, follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": "sam", "password": "pw-12345-long"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert 'href="/me/"' in response.content.decode()  # staff keep a link to their own page


def test_query_count_is_flat(client, db, django_assert_max_num_queries):
    user = get_user_model().objects.create_user("flat", password="x")
    client.force_login(user)
    build_estate(teams=1, projects_per_team=1, members=[user])
    with django_assert_max_num_queries(20) as small:
        assert client.get("/me/").status_code == 200
    build_estate(teams=3, projects_per_team=4, members=[user])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/me/")
    assert len(response.context["page"].allocations) > 2
