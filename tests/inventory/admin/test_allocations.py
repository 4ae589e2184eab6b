"""Allocations through the real admin: capacity rules, approval, expiry, drift, roles and history."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db.models.signals import pre_save
from django.urls import reverse
from django.utils import timezone

from inventory.models import Allocation
from tests.inventory.admin.conftest import errors_of, form_data
from tests.inventory.factories import PB, TB, TiB, make_allocation, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db

ADD = reverse("admin:inventory_allocation_add")
CHANGELIST = reverse("admin:inventory_allocation_changelist")


def change_url(allocation):
    return reverse("admin:inventory_allocation_change", args=[allocation.pk])


def allocation_post(project, pool, **overrides):
    data = {
        "project": project.pk,
        "pool": pool.pk,
        "status": "active",
        "quota_bytes": "1.5 TiB",
        "quota_id": "",
        "start_date": "2026-02-01",
        "end_date": "",
        "justification": "",
    }
    data.update(overrides)
    return data


def test_add_allocation_in_binary_units_records_the_approval(admin_client, infra_admin):
    pool, project = make_pool(), make_project()
    response = admin_client.post(ADD, allocation_post(project, pool, quota_id="/fs/nn0001k"))
    assert response.status_code == 302, errors_of(response)
    allocation = Allocation.objects.get(project=project)
    assert allocation.quota_bytes == 3 * TiB // 2 == 1_649_267_441_664
    assert allocation.approved_by == infra_admin and allocation.approved_at is not None


def test_change_allocation_quota_in_decimal_units(admin_client):
    allocation = make_allocation(pool=make_pool(capacity=PB), quota=100 * TB)
    page = admin_client.get(change_url(allocation))
    assert 'value="100 TB"' in page.content.decode()
    response = admin_client.post(change_url(allocation), form_data(page, quota_bytes="250 TB"))
    assert response.status_code == 302, errors_of(response)
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 250 * TB


def test_over_allocation_is_refused_with_the_numbers_and_writes_nothing(admin_client):
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=800 * TB)
    project = make_project()
    response = admin_client.post(ADD, allocation_post(project, pool, quota_bytes="300 TB"))
    message = " ".join(errors_of(response)["quota_bytes"])
    assert "800 TB is already allocated" in message
    assert "300 TB is requested" in message
    assert "only 1.00 PB is allowed" in message
    assert "At most 200 TB more" in message
    assert not Allocation.objects.filter(project=project).exists()


def test_growing_an_allocation_past_the_pool_is_refused(admin_client):
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=700 * TB)
    allocation = make_allocation(pool=pool, quota=200 * TB)
    page = admin_client.get(change_url(allocation))
    response = admin_client.post(change_url(allocation), form_data(page, quota_bytes="400 TB"))
    assert "700 TB is already allocated" in " ".join(errors_of(response)["quota_bytes"])
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 200 * TB


def test_requested_allocation_does_not_count_against_the_pool(admin_client):
    pool = make_pool(capacity=PB)
    make_allocation(pool=pool, quota=PB)
    response = admin_client.post(ADD, allocation_post(make_project(), pool, status="requested", quota_bytes="1 PB"))
    assert response.status_code == 302, errors_of(response)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "end_date", "end date must be after"),
        ({"quota_bytes": "-1 TB"}, "quota_bytes", "cannot be negative"),
        ({"quota_bytes": "10 T"}, "quota_bytes", "ambiguous"),
    ],
)
def test_invalid_values_are_refused_on_their_field(admin_client, overrides, field, text):
    pool, project = make_pool(), make_project()
    response = admin_client.post(ADD, allocation_post(project, pool, **overrides))
    assert text in " ".join(errors_of(response)[field])
    assert not Allocation.objects.exists()


def test_second_active_allocation_for_a_project_on_a_pool_is_refused_on_a_field(admin_client):
    pool = make_pool()
    existing = make_allocation(pool=pool, quota=10 * TB)
    response = admin_client.post(ADD, allocation_post(existing.project, pool, quota_bytes="10 TB"))
    assert "already has an active allocation on this pool" in " ".join(errors_of(response)["pool"])
    assert Allocation.objects.count() == 1


def test_duplicate_quota_id_on_a_pool_is_refused_on_a_field(admin_client):
    pool = make_pool()
    make_allocation(pool=pool, quota=10 * TB, quota_id="/fs/shared")
    response = admin_client.post(ADD, allocation_post(make_project(), pool, quota_bytes="10 TB", quota_id="/fs/shared"))
    assert "already uses this quota identifier" in " ".join(errors_of(response)["quota_id"])
    assert Allocation.objects.count() == 1


def test_a_race_refused_by_the_database_trigger_is_shown_on_the_form(admin_client):
    """Another writer fills the pool between the check and the save: the trigger refuses, no 500."""
    pool = make_pool(capacity=PB)
    rival, project = make_project(), make_project()

    def rival_takes_the_pool(sender, instance, **kwargs):
        pre_save.disconnect(rival_takes_the_pool, sender=Allocation)
        # bulk_create sends no signals and bypasses the form: only the trigger sees it.
        Allocation.objects.bulk_create(
            [
                Allocation(
                    project=rival, pool=pool, quota_bytes=900 * TB, status="active", start_date=instance.start_date
                )
            ]
        )

    pre_save.connect(rival_takes_the_pool, sender=Allocation, weak=False)
    try:
        response = admin_client.post(ADD, allocation_post(project, pool, quota_bytes="500 TB"))
    finally:
        pre_save.disconnect(rival_takes_the_pool, sender=Allocation)
    message = " ".join(errors_of(response)["quota_bytes"])
    assert "database refused" in message and "Nothing was saved" in message
    assert "900 TB allocated + 500 TB requested > 1.00 PB allowed" in message
    assert response.context["adminform"].form["quota_bytes"].value() == "500 TB"
    assert not Allocation.objects.exists()


def _select(client, action, allocations):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [a.pk for a in allocations]}, follow=True)


def test_approve_action_records_who_and_when_and_reports_refusals(admin_client, infra_admin):
    pool = make_pool(capacity=PB)
    fits = make_allocation(pool=pool, quota=600 * TB, status="requested")
    too_big = make_allocation(pool=pool, quota=500 * TB, status="requested")
    already = make_allocation(pool=make_pool(), quota=TB, status="active")
    response = _select(admin_client, "approve_selected", [fits, too_big, already])
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Approved 1 allocation:") and fits.project.code in m for m in messages), messages
    assert any(too_big.project.code in m and "600 TB is already allocated" in m for m in messages), messages
    assert any(already.project.code in m and "not requested" in m for m in messages), messages
    fits.refresh_from_db(), too_big.refresh_from_db()
    assert fits.status == "active" and fits.approved_by == infra_admin and fits.approved_at is not None
    assert too_big.status == "requested" and too_big.approved_by is None


def test_approve_action_needs_the_approve_permission(client):
    user = make_user("clerk")
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_allocation", "change_allocation"]))
    client.force_login(user)
    requested = make_allocation(pool=make_pool(), status="requested")
    page = client.get(CHANGELIST)
    assert "approve_selected" not in page.content.decode()
    _select(client, "approve_selected", [requested])
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_expire_action_expires_only_active_allocations_past_their_end(admin_client):
    pool = make_pool()
    past = make_allocation(pool=pool, end_date=datetime.date(2026, 2, 1))
    future = make_allocation(pool=pool, end_date=datetime.date(2099, 1, 1))
    requested = make_allocation(pool=pool, status="requested", end_date=datetime.date(2026, 2, 1))
    response = _select(admin_client, "expire_past_end_date", [past, future, requested])
    assert "Expired 1 allocation past their end date." in [str(m) for m in response.context["messages"]]
    assert [Allocation.objects.get(pk=a.pk).status for a in (past, future, requested)] == [
        "expired",
        "active",
        "requested",
    ]


def test_manager_can_change_and_approve_allocations_but_not_add_pools(manager_client, manager):
    pool = make_pool(capacity=PB)
    allocation = make_allocation(pool=pool, quota=100 * TB)
    page = manager_client.get(change_url(allocation))
    assert page.status_code == 200
    response = manager_client.post(change_url(allocation), form_data(page, quota_bytes="150 TB"))
    assert response.status_code == 302, errors_of(response)
    allocation.refresh_from_db()
    assert allocation.quota_bytes == 150 * TB

    requested = make_allocation(pool=pool, quota=100 * TB, status="requested")
    _select(manager_client, "approve_selected", [requested])
    requested.refresh_from_db()
    assert requested.status == "active" and requested.approved_by == manager

    assert manager_client.get(reverse("admin:inventory_storagepool_add")).status_code == 403
    assert manager_client.get(ADD).status_code == 403
    assert manager_client.get(reverse("admin:inventory_storagepool_changelist")).status_code == 200


def test_researcher_is_sent_to_the_admin_login(researcher_client):
    for url in (reverse("admin:index"), CHANGELIST, ADD):
        response = researcher_client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_drift_column_and_filter(admin_client):
    pool = make_pool()
    drifting = make_allocation(pool=pool, quota=100 * TB, enforced_quota_bytes=110 * TB)
    agreeing = make_allocation(pool=pool, quota=100 * TB, enforced_quota_bytes=100 * TB)
    unknown = make_allocation(pool=pool, quota=100 * TB)
    response = admin_client.get(CHANGELIST)
    assert "+10.0 TB" in response.content.decode()
    drift_yes = admin_client.get(CHANGELIST, {"drift": "yes"}).context["cl"].result_list
    drift_no = admin_client.get(CHANGELIST, {"drift": "no"}).context["cl"].result_list
    assert list(drift_yes) == [drifting]
    assert set(drift_no) == {agreeing, unknown}


def test_used_percent_is_computed_and_sortable(admin_client):
    pool = make_pool()
    half = make_allocation(pool=pool, quota=100 * TB, used_bytes=50 * TB)
    full = make_allocation(pool=pool, quota=100 * TB, used_bytes=95 * TB)
    # "used ÷ quota" is the 7th column of list_display.
    response = admin_client.get(CHANGELIST, {"o": "-7"})
    assert list(response.context["cl"].result_list)[:2] == [full, half]
    html = response.content.decode()
    assert "95.0 %" in html and "50.0 %" in html


@pytest.mark.parametrize("rows", [5, 60])
def test_changelist_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries, rows):
    approver = make_user("approver")
    for _ in range(rows):
        # One pool (and array) per row, so that the pool and array filters grow too.
        make_allocation(pool=make_pool(), quota=TB, used_bytes=TB // 2, approved_by=approver)
    with django_assert_max_num_queries(15):
        response = admin_client.get(CHANGELIST)
    changelist = response.context["cl"]
    assert changelist.result_count == rows
    # 50 a page: 13 columns a row make the rendering the slow part of a long page.
    assert len(changelist.result_list) == min(rows, 50)


def test_history_shows_who_changed_the_quota(admin_client):
    allocation = make_allocation(pool=make_pool(capacity=PB), quota=100 * TB)
    page = admin_client.get(change_url(allocation))
    admin_client.post(change_url(allocation), form_data(page, quota_bytes="120 TB"))
    html = admin_client.get(reverse("admin:inventory_allocation_history", args=[allocation.pk])).content.decode()
    assert re.search(r"Quota:</strong>\s*100 TB\s*&nbsp;&rarr;&nbsp;&nbsp;120 TB", html)
    assert "ines" in html


def test_changing_status_to_active_needs_the_approve_permission(client):
    clerk = make_user("clerk")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_allocation", "change_allocation"]))
    client.force_login(clerk)
    requested = make_allocation(pool=make_pool(), status="requested", quota=TB)
    page = client.get(change_url(requested))
    response = client.post(change_url(requested), form_data(page, status="active"))
    assert "allowed to approve" in " ".join(errors_of(response)["status"])
    requested.refresh_from_db()
    assert requested.status == "requested"
    # Other changes stay possible.
    response = client.post(change_url(requested), form_data(page, quota_bytes="2 TB"))
    assert response.status_code == 302, errors_of(response)


def test_manager_can_view_arrays_pools_and_projects_read_only(manager_client):
    pool = make_pool()
    allocation = make_allocation(pool=pool)
    for url in (
        reverse("admin:inventory_storagearray_change", args=[pool.array.pk]),
        reverse("admin:inventory_storagepool_change", args=[pool.pk]),
        reverse("admin:inventory_researchproject_change", args=[allocation.project.pk]),
    ):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert not response.context["has_change_permission"]
    page = manager_client.get(reverse("admin:inventory_storagepool_change", args=[pool.pk]))
    response = manager_client.post(reverse("admin:inventory_storagepool_change", args=[pool.pk]), form_data(page))
    assert response.status_code == 403


def test_started_filter_replaces_the_date_hierarchy(admin_client):
    pool = make_pool()
    today = timezone.localdate()
    recent = make_allocation(pool=pool, start_date=today - datetime.timedelta(days=10))
    older = make_allocation(pool=pool, start_date=today - datetime.timedelta(days=200))
    make_allocation(pool=pool, start_date=today - datetime.timedelta(days=800))
    assert {a.pk for a in admin_client.get(CHANGELIST, {"started": "30d"}).context["cl"].result_list} == {recent.pk}
    listed = admin_client.get(CHANGELIST, {"started": "365d"}).context["cl"].result_list
    assert {a.pk for a in listed} == {recent.pk, older.pk}
    # No date hierarchy: it read every allocation's start date (DISTINCT DATE_TRUNC, MIN/MAX) on each view.
    assert admin_client.get(CHANGELIST).context["cl"].date_hierarchy is None


@pytest.mark.parametrize("rows", [5, 30])
def test_allocation_autocomplete_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries, rows):
    """The usage-sample form picks its allocation here; each result is named by its project and pool."""
    pool = make_pool(capacity=PB)
    for _ in range(rows):
        make_allocation(pool=pool, quota=TB)
    url = reverse("admin:autocomplete")
    params = {"app_label": "inventory", "model_name": "usagesample", "field_name": "allocation", "term": "NN"}
    with django_assert_max_num_queries(8):  # 6 whatever the number of results
        response = admin_client.get(url, params)
    results = response.json()["results"]
    assert len(results) == min(rows, 20)  # the autocomplete's page
    assert all(f" on {pool.name}" in result["text"] for result in results)
