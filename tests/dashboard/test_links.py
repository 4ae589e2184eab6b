"""dashboard.links.page_url gives exactly the path reverse() gives, quoting and script prefix included."""

import pytest
from django.urls import reverse, set_script_prefix

from dashboard.links import page_url

CASES = [
    ("dashboard:pool-detail", {"array": "oceanstor-a", "pool": "flash-1"}),
    ("dashboard:array-detail", {"array": "a_1"}),
    ("dashboard:team-detail", {"slug": "nb-ailab"}),
    # A project code is any text without "/": spaces, "%", "#", "?" and letters outside ASCII are quoted.
    ("dashboard:project-detail", {"code": "NB 2024%#?&ø"}),
    ("dashboard:allocation-detail", {"pk": 739001}),
    ("admin:inventory_allocation_change", {"object_id": 42}),
]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_same_path_as_reverse(name, params):
    assert page_url(name, **params) == reverse(name, kwargs=params)


def test_follows_the_script_prefix():
    set_script_prefix("/capacity/")
    try:
        assert page_url("dashboard:team-detail", slug="x") == "/capacity/teams/x/"
        assert page_url("dashboard:team-detail", slug="x") == reverse("dashboard:team-detail", kwargs={"slug": "x"})
    finally:
        set_script_prefix("/")
    assert page_url("dashboard:team-detail", slug="x") == "/teams/x/"
