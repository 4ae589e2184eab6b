from django.urls import path

from dashboard.views import allocations, preferences, projects, search, storage, teams
from dashboard.views.overview import overview

app_name = "dashboard"

urlpatterns = [
    path("", overview, name="overview"),
    path("storage/", storage.storage_list, name="storage-list"),
    path("storage/<slug:array>/", storage.array_detail, name="array-detail"),
    path("storage/<slug:array>/<slug:pool>/", storage.pool_detail, name="pool-detail"),
    path("teams/", teams.team_list, name="team-list"),
    path("teams/<slug:slug>/", teams.team_detail, name="team-detail"),
    path("projects/", projects.project_list, name="project-list"),
    path("projects/<str:code>/", projects.project_detail, name="project-detail"),
    path("allocations/", allocations.allocation_list, name="allocation-list"),
    path("allocations/<int:pk>/", allocations.allocation_detail, name="allocation-detail"),
    path("preferences/units/", preferences.toggle_units, name="units-toggle"),
    path("search/", search.search_page, name="search"),
]
