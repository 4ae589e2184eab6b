"""Allocation list (being built)."""

from django.shortcuts import render


def allocation_list(request):
    return render(request, "dashboard/overview.html", {})
