"""History pages: readable by everyone who may view, but no "Revert" (it would bypass the capacity rules)."""

import pytest
from django.urls import reverse

from inventory.models import ResearchProject, StorageArray, StoragePool
from tests.inventory.factories import TB, make_array, make_pool, make_project

pytestmark = pytest.mark.django_db


def form_data(page) -> dict:
    """What the version page's form (the old values, as the "Revert" button would send them) posts."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def _history_urls(obj):
    opts = obj._meta
    version = obj.history.earliest("history_date")
    history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    return history, f"{history}{version.history_id}/"


def test_an_allocation_manager_cannot_change_a_project_by_reverting_it(manager_client):
    project = make_project(title="Original title")
    _, version_url = _history_urls(project)
    project.title = "Renamed by an infrastructure admin"
    project.save()
    page = manager_client.get(version_url)
    assert page.status_code == 200
    response = manager_client.post(version_url, form_data(page))
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "Renamed by an infrastructure admin"


@pytest.mark.parametrize("kind", ["pool", "array"])
def test_reverting_a_pool_or_an_array_is_refused_not_a_500(admin_client, kind):
    pool = make_pool(capacity=100 * TB)
    obj = pool if kind == "pool" else pool.array
    _, version_url = _history_urls(obj)
    if kind == "pool":
        StoragePool.objects.filter(pk=pool.pk).update(capacity_bytes=200 * TB)
    else:
        StorageArray.objects.filter(pk=obj.pk).update(vendor="Renamed")
    page = admin_client.get(version_url)
    assert page.status_code == 200
    response = admin_client.post(version_url, form_data(page))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    pool.refresh_from_db()
    assert pool.capacity_bytes == (200 * TB if kind == "pool" else 100 * TB)


def test_history_pages_stay_readable_without_a_revert_button(admin_client):
    array = make_array()
    history_url, version_url = _history_urls(array)
    assert admin_client.get(history_url).status_code == 200
    page = admin_client.get(version_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "View " in html
    assert 'name="_save"' not in html and "Revert" not in html


@pytest.mark.parametrize(
    "suffix",
    ["history/abc/", "history/1x/", "history/99999999999999999999999/", "history/%00/", "history/-1/"],
)
def test_bad_history_ids_are_404_not_500(admin_client, suffix):
    project = make_project()
    base = reverse("admin:inventory_researchproject_change", args=[project.pk]).removesuffix("change/")
    response = admin_client.get(base + suffix)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999999", "%C3%A9"])
def test_bad_object_ids_in_history_urls_are_404_not_500(admin_client, object_id):
    for model in ["researchproject", "storagepool", "storagearray", "allocation"]:
        response = admin_client.get(f"/admin/inventory/{model}/{object_id}/history/")
        assert response.status_code in (302, 404), (model, response.status_code)
        response = admin_client.get(f"/admin/inventory/{model}/{object_id}/history/1/")
        assert response.status_code == 404, (model, response.status_code)
    assert ResearchProject.objects.count() == 0
