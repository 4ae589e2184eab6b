"""Users in each role and helpers to drive the real admin (builders: tests/inventory/factories.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def _staff(username: str, group: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw-staff-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def infra_admin(db):
    return _staff("ines", "Infrastructure admins")


@pytest.fixture
def manager(db):
    return _staff("manu", "Allocation managers")


@pytest.fixture
def admin_client(client, infra_admin):
    """A client logged in as an infrastructure admin (staff, group "Infrastructure admins")."""
    client.force_login(infra_admin)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _as_post_value(value):
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return "" if value is None else str(value)


def form_data(response, **changes) -> dict:
    """The POST data a browser would send from an admin add/change page as rendered, plus `changes`.

    Values come from the page's bound forms (the main form and every inline formset
    with its management form); `changes` use the field names as posted
    (e.g. ``"allocations-0-quota_bytes"``).
    """
    data: dict = {}

    def add_form(form):
        for name in form.fields:
            value = _as_post_value(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response) -> dict:
    """Field name -> messages of the main admin form of a re-rendered page ("__all__" for the top)."""
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    form = response.context["adminform"].form
    return {name: list(messages) for name, messages in form.errors.items()}
