"""Pages: asking for storage from a project (researchers), and the queue of requests (allocation managers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from approvals import decisions, services
from approvals.forms import ChangeRequestForm, NewAllocationRequestForm, add_service_errors
from approvals.rules import may_decide, may_request
from approvals.selectors import open_requests, requests_for_project, with_headroom
from dashboard.tables import paginate
from inventory.models import ResearchProject

NEW, CHANGE = "new", "change"


def _project_for_requester(request: HttpRequest, code: str) -> ResearchProject:
    project = get_object_or_404(ResearchProject.objects.select_related("team", "principal_investigator"), code=code)
    if not may_request(request.user, project):
        raise PermissionDenied(
            gettext("Only the project's principal investigator or team members may ask for storage.")
        )
    return project


def _submit(form, which: str, project: ResearchProject, user) -> bool:
    """Create the request the valid *form* describes; False (errors on the form) when the service refuses."""
    data = form.cleaned_data
    try:
        if which == NEW:
            services.request_allocation(
                project=project,
                pool=data["pool"],
                quota_bytes=data["quota_bytes"],
                end_date=data["end_date"],
                justification=data["justification"],
                requested_by=user,
            )
        else:
            services.request_change(
                allocation=data["allocation"],
                quota_bytes=data["quota_bytes"],
                end_date=data["end_date"],
                justification=data["justification"],
                requested_by=user,
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


def request_storage(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for a new allocation or a change to an active one (a real form each; no JavaScript needed)."""
    project = _project_for_requester(request, code)
    which = request.POST.get("form") if request.method == "POST" else None
    new_form = NewAllocationRequestForm(request.POST if which == NEW else None, prefix=NEW)
    change_form = ChangeRequestForm(request.POST if which == CHANGE else None, prefix=CHANGE, project=project)
    form = {NEW: new_form, CHANGE: change_form}.get(which)
    if form is not None and form.is_valid() and _submit(form, which, project, request.user):
        messages.success(request, gettext("Your request was sent to the allocation managers."))
        return redirect(project.get_absolute_url())
    context = {
        "project": project,
        "new_form": new_form,
        "change_form": change_form,
        "requests": requests_for_project(project),
    }
    return render(request, "approvals/request_storage.html", context, status=400 if form is not None else 200)


def _decision_from(post) -> tuple[str | None, list[int], dict[int, str]]:
    """(action, request ids, reason per id) from the queue's POST: a row's own button, or the ticked rows."""
    common = post.get("reason", "")
    one = post.get("one", "")
    if ":" in one:
        action, _colon, pk = one.partition(":")
        ids = [int(pk)] if pk.isdigit() else []
    else:
        action = post.get("action")
        ids = sorted({int(pk) for pk in post.getlist("request") if pk.isdigit()})
    reasons = {pk: post.get(f"reason-{pk}", "").strip() or common for pk in ids}
    return (action if action in (decisions.APPROVE, decisions.DENY) else None), ids, reasons


def _report(request: HttpRequest, action: str, outcome: decisions.Outcome) -> None:
    approve = action == decisions.APPROVE
    if outcome.decided:
        names = {"count": len(outcome.decided), "names": ", ".join(outcome.decided)}
        text = gettext("Approved %(count)d: %(names)s.") if approve else gettext("Denied %(count)d: %(names)s.")
        messages.success(request, text % names)
    for refusal in outcome.refused:
        text = gettext("Not approved: %(reason)s") if approve else gettext("Not denied: %(reason)s")
        messages.error(request, text % {"reason": refusal})


def request_queue(request: HttpRequest) -> HttpResponse:
    """Pending requests with the pool's headroom before and after; approve or deny, one by one or in bulk."""
    if not may_decide(request.user):
        raise PermissionDenied(gettext("Only allocation managers see the queue of requests."))
    if request.method == "POST":
        action, ids, reasons = _decision_from(request.POST)
        if action is None or not ids:
            messages.warning(request, gettext("Tick at least one request, then approve or deny."))
        else:
            _report(request, action, decisions.decide_many(ids=ids, action=action, user=request.user, reasons=reasons))
        return redirect("approvals:queue")
    page_obj = paginate(request, open_requests())
    page_obj.object_list = with_headroom(page_obj.object_list)
    return render(request, "approvals/queue.html", {"page_obj": page_obj})
