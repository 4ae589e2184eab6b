from django.urls import path

from dashboard.views import storage
from dashboard.views.overview import overview

app_name = "dashboard"

urlpatterns = [
    path("", overview, name="overview"),
    path("storage/", storage.storage_list, name="storage-list"),
    path("storage/<slug:array>/", storage.array_detail, name="array-detail"),
    path("storage/<slug:array>/<slug:pool>/", storage.pool_detail, name="pool-detail"),
]
