"""The request flow in a browser: a researcher asks for storage, a manager approves, the researcher sees it active."""

import re

from django.db.models import Q, Sum
from playwright.sync_api import expect

from approvals.models import AllocationRequest
from inventory.models import Allocation, ResearchProject, StoragePool
from inventory.services.usage_state import refresh_today
from tests.inventory.factories import TB


def roomiest_pool() -> StoragePool:
    """The demo pool with the most headroom (allowed − allocated), so one more terabyte fits."""
    pools = StoragePool.objects.select_related("array").annotate(
        allocated=Sum("allocations__quota_bytes", filter=Q(allocations__status="active"), default=0)
    )
    return max(pools, key=lambda pool: (pool.allowed_bytes or 0) - pool.allocated)


def researchers_project(pool: StoragePool) -> ResearchProject:
    """A project of the researcher's teams with nothing active or requested on *pool*."""
    taken = Allocation.objects.filter(pool=pool, status__in=["active", "requested"]).values("project")
    return (
        ResearchProject.objects.filter(team__members__username="researcher")
        .exclude(pk__in=taken)
        .order_by("code")
        .first()
    )


def undo(pool: StoragePool, was_open: bool) -> None:
    """Leave the demo as the other browser tests expect it: no request, no new allocation, the pool as it was."""
    made = list(AllocationRequest.objects.values_list("pk", "allocation_id"))
    allocation_ids = [allocation_id for _, allocation_id in made]
    AllocationRequest.history.filter(id__in=[pk for pk, _ in made]).delete()
    AllocationRequest.objects.all().delete()
    # Out of today's figures first (requested never counts), then gone.
    Allocation.objects.filter(pk__in=allocation_ids).update(status="requested")
    refresh_today(allocation_ids=allocation_ids)
    Allocation.history.filter(id__in=allocation_ids).delete()
    Allocation.objects.filter(pk__in=allocation_ids).delete()
    StoragePool.objects.filter(pk=pool.pk).update(open_for_requests=was_open)


def test_a_researcher_asks_a_manager_approves_and_the_researcher_sees_it_active(
    demo, log_in, page, chromium, screenshot
):
    pool = roomiest_pool()
    project = researchers_project(pool)
    was_open = pool.open_for_requests
    StoragePool.objects.filter(pk=pool.pk).update(open_for_requests=True)
    try:
        log_in("researcher")
        page.goto(f"{demo.url}{project.get_absolute_url()}")
        page.get_by_role("link", name="Ask for storage").click()
        expect(page).to_have_url(re.compile(rf"/projects/{project.code}/request/$"))
        form = page.locator("form", has=page.locator("input[name=form][value=new]"))
        form.get_by_label("Pool").select_option(str(pool.pk))
        form.get_by_label("Size").fill("1 TB")
        form.get_by_label("Justification").fill("Corpus for the next model")
        screenshot(page, "request-storage")
        form.get_by_role("button", name="Send request").click()
        expect(page.locator(".messages")).to_contain_text("Your request was sent")
        expect(page.locator(".request-list")).to_contain_text("Pending")

        manager_context = chromium.new_context(viewport={"width": 1280, "height": 900})
        try:
            manager = manager_context.new_page()
            log_in("manager", context=manager_context)
            manager.goto(f"{demo.url}/requests/")
            row = manager.locator("tbody tr", has_text=project.code)
            expect(row).to_contain_text("1.00 TB")
            screenshot(manager, "request-queue")
            row.get_by_label(re.compile("Reason for request")).fill("Welcome aboard")
            row.get_by_role("button", name="Approve").click()
            expect(manager.locator(".messages")).to_contain_text("Approved 1")
            expect(manager.get_by_text("No request is waiting for a decision.")).to_be_visible()
        finally:
            manager_context.close()

        page.goto(f"{demo.url}/me/")
        requests = page.locator(".request-list")
        expect(requests).to_contain_text("Approved")
        expect(requests).to_contain_text("Welcome aboard")
        allocation_row = page.locator("section", has_text="Your allocations").locator("tbody tr", has_text=project.code)
        expect(allocation_row.filter(has_text=pool.name)).to_have_count(1)
        screenshot(page, "my-page-after-approval")
        allocation = AllocationRequest.objects.get().allocation
        assert (allocation.status, allocation.quota_bytes) == ("active", TB)
        assert page.console_errors == []
    finally:
        undo(pool, was_open)
