"""Team pages (being built)."""

from django.shortcuts import render


def team_list(request):
    return render(request, "dashboard/overview.html", {})


def team_detail(request, slug):
    return render(request, "dashboard/overview.html", {})
