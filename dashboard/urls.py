from django.urls import path

from dashboard.views import allocations, institutions, me, preferences, projects, search, showback, storage, teams
from dashboard.views.overview import overview

app_name = "dashboard"

urlpatterns = [
    path("", overview, name="overview"),
    path("home/", me.home, name="home"),
    path("me/", me.me, name="me"),
    path("storage/", storage.storage_list, name="storage-list"),
    path("storage/<slug:array>/", storage.array_detail, name="array-detail"),
    path("storage/<slug:array>/<slug:pool>/", storage.pool_detail, name="pool-detail"),
    path("teams/", teams.team_list, name="team-list"),
    path("teams/<slug:slug>/", teams.team_detail, name="team-detail"),
    path("projects/", projects.project_list, name="project-list"),
    path("projects/<str:code>/", projects.project_detail, name="project-detail"),
    path("allocations/", allocations.allocation_list, name="allocation-list"),
    path("institutions/", institutions.institution_list, name="institution-list"),
    path("institutions/<slug:slug>/", institutions.institution_detail, name="institution-detail"),
    path("reports/showback/", showback.showback, name="showback"),
    path("allocations/<int:pk>/", allocations.allocation_detail, name="allocation-detail"),
    path("preferences/units/", preferences.toggle_units, name="units-toggle"),
    path("search/", search.search_page, name="search"),
]
