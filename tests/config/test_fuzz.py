"""Bad input in any URL or query parameter gets a 4xx, never a 500.

Walks every dashboard URL pattern and every admin model's list, change and history pages, and
sends each query parameter the filtersets and admin list filters know with odd values: NUL
bytes, huge numbers, non-numeric ids, odd unicode.
"""

from __future__ import annotations

import django_filters
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver

from dashboard import filtersets
from tests.dashboard.conftest import build_estate

pytestmark = pytest.mark.django_db

ODD_VALUES = ["a\x00b", "-" + "9" * 30, "abc", "\u202e\u0301💾%"]
ODD_IDS = ["%00", "abc", "9" * 30, "%E2%80%AE%F0%9F%92%BE"]


def _client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "unused-pass-phrase-1")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _assert_not_5xx(client: Client, path: str, params: dict | None = None) -> None:
    response = client.get(path, params or {})
    assert response.status_code < 500, (path, params, response.status_code)


def _try_parameters(client: Client, path: str, names: set[str]) -> None:
    """Every odd value in all parameters at once, then each parameter alone (one bad one cannot hide another)."""
    for value in ODD_VALUES:
        _assert_not_5xx(client, path, dict.fromkeys(names, value))
    for name in names:
        for value in ODD_VALUES[1:3]:
            _assert_not_5xx(client, path, {name: value})


def _filterset_parameters() -> set[str]:
    names = {"page", "format", "sort", "q"}
    for value in vars(filtersets).values():
        if (
            isinstance(value, type)
            and issubclass(value, django_filters.FilterSet)
            and value is not django_filters.FilterSet
        ):
            names.update(value.base_filters)
    return names


def _dashboard_paths(estate) -> list[str]:
    """Every dashboard pattern with real arguments and with odd ones."""
    real = {
        "array": estate.array.slug,
        "pool": estate.pools[0].slug,
        "slug": estate.teams[0].slug,
        "code": estate.projects[0].code,
        "pk": str(estate.allocations[0].pk),
    }
    paths = []
    for pattern in get_resolver("dashboard.urls").url_patterns:
        route = str(pattern.pattern)
        converters = pattern.pattern.converters
        paths.append("/" + _fill(route, {name: real[name] for name in converters}))
        for odd in ODD_IDS:
            paths.append("/" + _fill(route, dict.fromkeys(converters, odd)))
    return paths


def _fill(route: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        for converter in ("slug", "str", "int"):
            route = route.replace(f"<{converter}:{name}>", value)
    return route


def test_dashboard_urls_and_filters(researcher):
    estate = build_estate(teams=1, projects_per_team=1, pools=1, members=[researcher])
    client = _client()
    parameters = _filterset_parameters()
    for path in _dashboard_paths(estate):
        _assert_not_5xx(client, path)
        if any(odd in path for odd in ODD_IDS):
            continue
        _try_parameters(client, path, parameters)


def _admin_parameters(client: Client, model_admin) -> set[str]:
    """The query parameters the changelist's filters know (from the page as rendered)."""
    opts = model_admin.model._meta
    response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert response.status_code == 200
    names = {"q", "o", "p", "e", "_to_field", "all"}
    for spec in response.context["cl"].filter_specs:
        names.update(spec.expected_parameters())
    return names


def test_admin_lists_filters_and_pages():
    build_estate(teams=1, projects_per_team=1, pools=1)
    client = _client()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        _try_parameters(client, base, _admin_parameters(client, model_admin))
        for odd in ODD_IDS:
            for suffix in ["change/", "history/", "delete/", "history/1/"]:
                _assert_not_5xx(client, f"{base}{odd}/{suffix}")
            _assert_not_5xx(client, f"{base}1/history/{odd}/")


def test_admin_autocomplete():
    build_estate(teams=1, projects_per_team=1, pools=1)
    client = _client()
    fields = [
        ("inventory", "researchproject", "principal_investigator"),
        ("inventory", "allocation", "pool"),
        ("inventory", "allocation", "project"),
        ("inventory", "teammembership", "user"),
        ("inventory", "usagesample", "allocation"),
    ]
    for app_label, model_name, field_name in fields:
        for value in ODD_VALUES:
            params = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
            _assert_not_5xx(client, "/admin/autocomplete/", {**params, "term": value})
            _assert_not_5xx(client, "/admin/autocomplete/", {**params, "page": value})
            _assert_not_5xx(client, "/admin/autocomplete/", {**params, "field_name": value})


def test_a_nul_byte_anywhere_in_the_address_is_a_400():
    client = _client()
    for path in ["/projects/%00/", "/teams/%00/", "/storage/%00/x/", "/admin/inventory/allocation/?status=%00"]:
        assert client.get(path).status_code == 400, path
    assert client.get("/", {"sort\x00": "1"}).status_code == 400
    assert client.get("/", headers={"Cookie": "sessionid=abc\x00def"}).status_code in (200, 302, 400)
