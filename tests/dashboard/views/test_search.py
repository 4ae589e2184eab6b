"""Search: a results page without JavaScript, the htmx partial, limits per kind, staff-only kinds, fixed queries."""

import pytest
from django.test import Client

from dashboard.selectors.search import RESULTS_PER_KIND
from tests.inventory.factories import TB, make_allocation, make_array, make_pool, make_project, make_user


@pytest.fixture
def things(db):
    array = make_array(name="Oslo Fjord 1", slug="oslo-fjord-1", serial_number="SN-FJORD-77")
    pool = make_pool(array=array, name="Fjord scratch", slug="fjord-scratch")
    project = make_project(code="FJORD01", title="Fjord currents")
    allocation = make_allocation(pool=pool, project=project, quota_id="/fjord/quota-tree-9")
    person = make_user("fjordperson", first_name="Frida", last_name="Fjordsen")
    return {"array": array, "pool": pool, "project": project, "allocation": allocation, "person": person}


def test_the_results_page_finds_every_kind_without_javascript(researcher_client, things):
    response = researcher_client.get("/search/", {"q": "fjord"})
    html = response.content.decode()
    assert "<html" in html
    assert 'href="/projects/FJORD01/"' in html
    assert 'href="/storage/oslo-fjord-1/fjord-scratch/"' in html
    assert 'href="/storage/oslo-fjord-1/"' in html
    assert f'href="/allocations/{things["allocation"].pk}/"' in html and "/fjord/quota-tree-9" in html


def test_people_and_serial_numbers_are_for_staff_only(researcher_client, staff_user, things):
    staff_client = Client()
    staff_client.force_login(staff_user)
    html = researcher_client.get("/search/", {"q": "fjordsen"}).content.decode()
    assert "Frida" not in html
    assert "Oslo Fjord 1" not in researcher_client.get("/search/", {"q": "SN-FJORD"}).content.decode()
    html = staff_client.get("/search/", {"q": "fjordsen"}).content.decode()
    assert "Frida Fjordsen" in html
    assert "Oslo Fjord 1" in staff_client.get("/search/", {"q": "SN-FJORD"}).content.decode()


def test_htmx_gets_the_results_partial_only(researcher_client, things):
    html = researcher_client.get("/search/", {"q": "fjord"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html and "FJORD01" in html


def test_an_emptied_box_empties_the_results_under_it(researcher_client, things):
    # Escape in the header's search field clears it, and the browser then asks for the empty query.
    response = researcher_client.get("/search/", {"q": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    assert "at least 2 characters" in researcher_client.get("/search/", {"q": ""}).content.decode()


def test_a_short_query_searches_nothing_and_says_why(researcher_client, things):
    html = researcher_client.get("/search/", {"q": "f"}).content.decode()
    assert "at least 2 characters" in html and "FJORD01" not in html


def test_each_kind_is_limited(researcher_client, db):
    for n in range(RESULTS_PER_KIND + 3):
        make_project(code=f"LIM{n:03d}", title="Limited")
    response = researcher_client.get("/search/", {"q": "LIM"})
    hits = response.context["results"].kinds["projects"]
    assert len(hits.rows) == RESULTS_PER_KIND and hits.more
    assert "Only the first" in response.content.decode()


def test_the_header_has_the_search_box_with_its_shortcut(researcher_client, things):
    html = researcher_client.get("/").content.decode()
    assert 'id="site-search-input"' in html and 'aria-keyshortcuts="/"' in html
    assert 'action="/search/"' in html and 'hx-get="/search/"' in html and "js/search.js" in html


@pytest.mark.parametrize("user", ["researcher", "staff"])
def test_query_count_is_flat(client, researcher, staff_user, django_assert_max_num_queries, user):
    client.force_login(staff_user if user == "staff" else researcher)
    make_project(code="SIZE001")
    with django_assert_max_num_queries(12) as small_run:
        client.get("/search/", {"q": "SIZE"})
    pool = make_pool(name="SIZE pool", slug="size-pool", capacity=1000 * TB)
    for n in range(RESULTS_PER_KIND + 4):
        make_allocation(pool=pool, project=make_project(code=f"SIZE{n + 100}"), quota_id=f"/size/{n}")
        make_user(f"size{n}")
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        client.get("/search/", {"q": "SIZE"})


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get("/search/", {"q": "fjord"}).status_code == 302
