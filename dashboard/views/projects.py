"""Project pages (being built)."""

from django.shortcuts import render


def project_list(request):
    return render(request, "dashboard/overview.html", {})


def project_detail(request, code):
    return render(request, "dashboard/overview.html", {})
