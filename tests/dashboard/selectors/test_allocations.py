"""A team page's allocations, read a page at a time with plain SQL, are allocation_rows()' rows."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.selectors.allocations import TeamAllocationPages, allocation_rows
from dashboard.selectors.teams import team_figures
from inventory.models import Allocation

SHOWN = ("pk", "status", "quota_bytes", "enforced_quota_bytes", "used_bytes", "usage_measured_at", "end_date")


def _as_shown(allocation, *, staff):
    project, pool = allocation.project, allocation.pool
    row = [getattr(allocation, name) for name in SHOWN]
    row += [allocation.used_percent, project.code, project.title, project.team.slug]
    row += [pool.name, pool.slug, pool.warning_threshold, pool.critical_threshold, pool.array.name, pool.array.slug]
    if staff:
        requester = allocation.requested_by
        row += [allocation.justification, requester and (requester.username, requester.get_full_name())]
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [False, True])
def test_every_page_holds_the_rows_allocation_rows_gives_in_its_order(estate_builder, staff):
    estate = estate_builder(teams=2, projects_per_team=3, pools=3)
    team = team_figures(estate.teams[0].slug, latest_day=None)
    Allocation.objects.filter(pk=estate.allocations[0].pk).update(requested_by=None, enforced_quota_bytes=1)
    expected = [_as_shown(a, staff=staff) for a in allocation_rows(staff=staff).filter(project__team=team)]
    paginator = Paginator(TeamAllocationPages(team, staff=staff), 4)
    with CaptureQueriesContext(connection) as queries:
        pages = [[_as_shown(a, staff=staff) for a in paginator.page(n)] for n in paginator.page_range]
    assert [row for page in pages for row in page] == expected and len(expected) == 9
    assert len(queries) == len(pages)  # one query a page: nothing read row by row
