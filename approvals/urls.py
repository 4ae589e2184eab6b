from django.urls import path

from approvals import views

app_name = "approvals"

urlpatterns = [
    path("requests/", views.request_queue, name="queue"),
    path("projects/<str:code>/request/", views.request_storage, name="request-storage"),
]
