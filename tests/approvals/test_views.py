"""The request form on a project's page and the managers' queue, through the test client."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from approvals.models import AllocationRequest
from approvals.services import request_allocation
from inventory.models import Allocation
from tests.approvals.conftest import make_manager
from tests.inventory.factories import TB, make_allocation, make_pool, make_project

LATER = timezone.localdate() + datetime.timedelta(days=365)


def form_url(project):
    return f"/projects/{project.code}/request/"


def new_request_data(pool, size="10 TB", **extra):
    return {
        "form": "new",
        "new-pool": pool.pk,
        "new-quota_bytes": size,
        "new-end_date": LATER.isoformat(),
        "new-justification": "Training data",
        **extra,
    }


def ask(setting, user=None, quota=10 * TB, pool=None):
    return request_allocation(
        project=setting.project,
        pool=pool or setting.pool,
        quota_bytes=quota,
        end_date=LATER,
        justification="Because",
        requested_by=user or setting.pi,
    )


@pytest.mark.parametrize("who", ["pi", "member"])
def test_the_investigator_or_a_member_asks_from_the_project_page(client, setting, who):
    client.force_login(getattr(setting, who))
    page = client.get(setting.project.get_absolute_url()).content.decode()
    assert form_url(setting.project) in page
    response = client.post(form_url(setting.project), new_request_data(setting.pool))
    assert response.status_code == 302 and response["Location"] == setting.project.get_absolute_url()
    made = AllocationRequest.objects.get()
    assert made.quota_bytes == 10 * TB and made.requested_by == getattr(setting, who)
    assert made.allocation.status == Allocation.Status.REQUESTED
    page = client.get(response["Location"]).content.decode()
    assert "Pending" in page and "10.0 TB" in page


def test_an_outsider_gets_403_and_no_link(client, setting):
    client.force_login(setting.outsider)
    assert form_url(setting.project) not in client.get(setting.project.get_absolute_url()).content.decode()
    assert client.get(form_url(setting.project)).status_code == 403
    assert client.post(form_url(setting.project), new_request_data(setting.pool)).status_code == 403
    assert not Allocation.objects.exists()


def test_an_unknown_project_is_404(client, setting):
    client.force_login(setting.pi)
    assert client.get("/projects/NOPE404/request/").status_code == 404


def test_bad_input_is_shown_on_the_form_by_field(client, setting):
    client.force_login(setting.pi)
    response = client.post(form_url(setting.project), new_request_data(setting.pool, size="10 TBB"))
    assert response.status_code == 400
    assert "quota_bytes" in response.context["new_form"].errors
    closed = make_pool()
    response = client.post(form_url(setting.project), new_request_data(setting.pool, **{"new-pool": closed.pk}))
    assert response.status_code == 400 and "pool" in response.context["new_form"].errors
    assert not Allocation.objects.exists()


def test_a_change_request_from_the_form(client, setting):
    allocation = make_allocation(pool=setting.pool, project=setting.project, quota=10 * TB, end_date=LATER)
    client.force_login(setting.member)
    data = {
        "form": "change",
        "change-allocation": allocation.pk,
        "change-quota_bytes": "20 TB",
        "change-end_date": "",
        "change-justification": "More data",
    }
    assert client.post(form_url(setting.project), data).status_code == 302
    made = AllocationRequest.objects.get()
    assert (made.kind, made.quota_bytes, made.previous_quota_bytes) == ("change", 20 * TB, 10 * TB)
    # A second one while the first is pending: the form says so, nothing is written.
    response = client.post(form_url(setting.project), {**data, "change-quota_bytes": "30 TB"})
    assert response.status_code == 400 and "already has a pending request" in response.content.decode()
    assert AllocationRequest.objects.count() == 1


def test_researchers_do_not_see_the_queue_and_cannot_decide(client, setting):
    made = ask(setting)
    client.force_login(setting.pi)
    assert client.get("/requests/").status_code == 403
    assert client.post("/requests/", {"one": f"approve:{made.pk}"}).status_code == 403
    made.refresh_from_db()
    assert made.status == "pending"


def test_the_queue_shows_headroom_before_and_after_and_the_teams_use(client, setting):
    make_allocation(pool=setting.pool, quota=60 * TB)
    made = ask(setting, quota=30 * TB)
    client.force_login(setting.manager)
    response = client.get("/requests/")
    row = next(iter(response.context["page_obj"]))
    assert row.pk == made.pk
    assert (row.headroom_before_bytes, row.headroom_after_bytes) == (40 * TB, 10 * TB)
    assert row.team_allocated_bytes == 0
    html = response.content.decode()
    assert "40.0 TB" in html and "10.0 TB" in html


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_manager_approves_one(client, setting):
    made = ask(setting)
    client.force_login(setting.manager)
    response = client.post("/requests/", {"one": f"approve:{made.pk}", f"reason-{made.pk}": "OK"}, follow=True)
    made.refresh_from_db()
    assert made.status == "approved" and made.decision_reason == "OK" and made.decided_by == setting.manager
    assert made.allocation.status == "active"
    assert any("Approved 1" in m for m in messages_of(response))
    assert "No request is waiting" in response.content.decode()


def test_a_manager_denies_one_with_a_reason_the_requester_reads(client, setting):
    made = ask(setting)
    client.force_login(setting.manager)
    client.post("/requests/", {"one": f"deny:{made.pk}", f"reason-{made.pk}": "Use the archive pool"})
    made.refresh_from_db()
    assert made.status == "denied" and made.allocation.status == "denied"
    client.force_login(setting.pi)
    for path in ("/me/", setting.project.get_absolute_url()):
        html = client.get(path).content.decode()
        assert "Denied" in html and "Use the archive pool" in html


def test_denying_without_a_reason_is_a_message_not_a_denial(client, setting):
    made = ask(setting)
    client.force_login(setting.manager)
    response = client.post("/requests/", {"one": f"deny:{made.pk}"}, follow=True)
    assert response.status_code == 200
    assert any("reason" in m for m in messages_of(response))
    made.refresh_from_db()
    assert made.status == "pending"


def test_bulk_approve_and_deny(client, setting):
    first = ask(setting)
    other = make_project(team=setting.project.team, principal_investigator=setting.pi)
    second = request_allocation(
        project=other, pool=setting.pool, quota_bytes=5 * TB, end_date=None, justification="x", requested_by=setting.pi
    )
    client.force_login(setting.manager)
    client.post("/requests/", {"request": [first.pk, second.pk], "action": "approve", "reason": "Both fine"})
    assert set(AllocationRequest.objects.values_list("status", "decision_reason")) == {("approved", "Both fine")}
    third = request_allocation(
        project=other,
        pool=make_pool(open_for_requests=True),
        quota_bytes=5 * TB,
        end_date=None,
        justification="x",
        requested_by=setting.pi,
    )
    client.post("/requests/", {"request": [third.pk], "action": "deny", "reason": "No"})
    third.refresh_from_db()
    assert third.status == "denied"


def test_over_capacity_approval_is_a_message_and_writes_nothing(client, setting):
    fits = ask(setting, quota=5 * TB)
    make_allocation(pool=setting.pool, quota=90 * TB)
    other = make_project(team=setting.project.team, principal_investigator=setting.pi)
    too_big = request_allocation(
        project=other, pool=setting.pool, quota_bytes=15 * TB, end_date=None, justification="x", requested_by=setting.pi
    )
    client.force_login(setting.manager)
    response = client.post("/requests/", {"request": [too_big.pk, fits.pk], "action": "approve"}, follow=True)
    assert response.status_code == 200
    refusals = [m for m in messages_of(response) if m.startswith("Not approved")]
    assert len(refusals) == 1 and "cannot take this allocation" in refusals[0] and other.code in refusals[0]
    assert "At most 5.00 TB more can be allocated" in refusals[0], refusals  # after the other one's 5 TB
    assert "message-error" in response.content.decode()
    too_big.refresh_from_db()
    fits.refresh_from_db()
    assert (too_big.status, too_big.allocation.status) == ("pending", "requested")
    assert too_big.decided_at is None and fits.status == "approved"


def test_an_empty_bulk_post_says_what_to_do(client, setting):
    client.force_login(setting.manager)
    response = client.post("/requests/", {"action": "approve"}, follow=True)
    assert any("Tick at least one" in m for m in messages_of(response))


def test_a_request_decided_in_the_admin_leaves_the_queue(client, setting):
    from inventory.services.allocations import approve_allocation

    made = ask(setting)
    approve_allocation(allocation=made.allocation, approved_by=setting.manager)
    client.force_login(setting.manager)
    assert not list(client.get("/requests/").context["page_obj"])
    client.force_login(setting.pi)
    assert "Active (decided in the admin)" in client.get("/me/").content.decode()


def test_the_queue_runs_a_fixed_number_of_queries(client, setting, django_assert_max_num_queries):
    client.force_login(setting.manager)
    ask(setting)
    with django_assert_max_num_queries(20) as small:
        assert client.get("/requests/").status_code == 200
    for n in range(12):
        project = make_project(principal_investigator=setting.pi)
        request_allocation(
            project=project,
            pool=setting.pool,
            quota_bytes=TB,
            end_date=None,
            justification="x",
            requested_by=setting.pi,
        )
        make_allocation(pool=setting.pool, project=project, quota=TB, status="active", quota_id=f"q{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/requests/").status_code == 200


def test_the_admin_shows_requests_and_their_history_to_managers(client, setting):
    made = ask(setting)
    client.force_login(make_manager("mona"))
    assert client.get("/admin/approvals/allocationrequest/").status_code == 200
    assert client.get(f"/admin/approvals/allocationrequest/{made.pk}/history/").status_code == 200
