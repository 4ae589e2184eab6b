"""Queries compiled once (dashboard/selectors/compiled.py) give what compiling them each time gives."""

import datetime

import pytest
from django.utils import timezone

from dashboard.selectors.compiled import ID_MARKER, TEXT_MARKER, CompiledQuery
from dashboard.selectors.teams import _PAIR_SUMS, _TEAM_SUMS, _pair_sums, _team_sums
from inventory.models import Allocation


@pytest.mark.parametrize("slug", ["ai-lab", "team-1", ""])
def test_the_team_sums_are_the_sql_and_parameters_the_orm_writes(slug):
    since = timezone.now() - datetime.timedelta(days=3)
    assert _TEAM_SUMS.sql_with_params(slug=slug, since=since) == _team_sums(slug, since).query.sql_with_params()


def test_the_pair_sums_are_the_sql_and_parameters_the_orm_writes():
    since = timezone.now()
    assert _PAIR_SUMS.sql_with_params(team_id=12, since=since) == _pair_sums(12, since).query.sql_with_params()


def test_a_marker_that_does_not_reach_the_parameters_is_refused():
    ignored = CompiledQuery(lambda slug, pk: Allocation.objects.filter(pk=1), slug=TEXT_MARKER, pk=ID_MARKER)
    with pytest.raises(ValueError, match="slug, pk"):
        ignored.sql_with_params(slug="a", pk=2)
    sliced = CompiledQuery(lambda limit: Allocation.objects.all()[:limit], limit=ID_MARKER)
    with pytest.raises(ValueError, match="limit"):  # LIMIT is written into the SQL, not a parameter
        sliced.sql_with_params(limit=5)
