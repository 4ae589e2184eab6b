from django.urls import path

from collection import views

app_name = "collection"

urlpatterns = [
    path("", views.collectors, name="collectors"),
    path("<slug:array>/reconciliation/", views.reconciliation, name="reconciliation"),
]
