"""/api/: version 1 of the REST API, its OpenAPI schema and docs, and the personal token page."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api.views import allocations, collection, docs, people, requests, storage, tokens, usage

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sites", storage.SiteViewSet, basename="site")
router.register("arrays", storage.ArrayViewSet, basename="array")
router.register("pools", storage.PoolViewSet, basename="pool")
router.register("teams", people.TeamViewSet, basename="team")
router.register("projects", people.ProjectViewSet, basename="project")
router.register("allocations", allocations.AllocationViewSet, basename="allocation")
router.register("requests", requests.AllocationRequestViewSet, basename="request")
router.register("imports", usage.UsageImportViewSet, basename="import")
router.register("collector-runs", collection.CollectionRunViewSet, basename="collector-run")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/usage-reports/", usage.UsageReportView.as_view(), name="usage-reports"),
    path("v1/exports/xdmod-storage", usage.XdmodExportView.as_view(), name="xdmod-export"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(), name="docs"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.revoke, name="token-revoke"),
]
