"""Staff pages: the Collectors (each system's last success and its age) and an array's reconciliation (+ CSV)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from collection.selectors import collector_rows, latest_reconciliation
from dashboard.tables import csv_filename, csv_response
from inventory.models import StorageArray

RECONCILIATION_COLUMNS = [
    ("kind", lambda item: item.kind),
    ("pool", lambda item: item.pool.slug if item.pool else ""),
    ("name_on_system", lambda item: item.name_on_system),
    ("id_on_system", lambda item: item.id_on_system),
    ("allocation_id", lambda item: item.allocation_id),
    ("project", lambda item: item.allocation.project.code if item.allocation else ""),
    ("limit_on_array_bytes", lambda item: item.reported_bytes),
    ("promised_bytes", lambda item: item.promised_bytes),
    ("detail", lambda item: item.detail),
]


@staff_member_required
def collectors(request: HttpRequest) -> HttpResponse:
    return render(request, "collection/collectors.html", {"rows": collector_rows(now=timezone.now())})


@staff_member_required
def reconciliation(request: HttpRequest, array: str) -> HttpResponse:
    storage_array = get_object_or_404(StorageArray, slug=array)
    run, items = latest_reconciliation(storage_array.pk)
    if request.GET.get("format") == "csv":
        return csv_response(csv_filename("reconciliation", "array", storage_array.slug), RECONCILIATION_COLUMNS, items)
    return render(request, "collection/reconciliation.html", {"array": storage_array, "run": run, "items": items})
