"""A team's members, read a page at a time with plain SQL, in the order and with the total the ORM gives."""

import pytest
from django.db.models import Count, Window

from dashboard.selectors.teams import team_members
from tests.inventory.factories import make_user


@pytest.mark.django_db
def test_members_come_by_role_then_name_with_the_total(estate_builder):
    people = [make_user(f"member-{n}", first_name="Mo", last_name=f"Member{n % 3}") for n in range(5)]
    team = estate_builder(teams=1, projects_per_team=3, pools=1, sample_days=1, members=people).teams[0]
    ordered = team.memberships.annotate(total=Window(Count("pk"))).order_by(
        "-role", "user__last_name", "user__username", "pk"
    )
    expected = [(m.pk, m.role, m.user.username, m.user.get_full_name(), m.user.email, m.total) for m in ordered]
    pages = [team_members(team, page=page, per_page=3) for page in (1, 2, 3, 4)]
    got = [(m.pk, m.role, m.user.username, m.user.get_full_name(), m.user.email, m.total) for p in pages for m in p]
    assert got == expected and [len(page) for page in pages] == [3, 3, 2, 0]
    assert pages[0][0].team is team
