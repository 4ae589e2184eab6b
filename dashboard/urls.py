from django.urls import path

from dashboard.views.overview import overview

app_name = "dashboard"

urlpatterns = [
    path("", overview, name="overview"),
]
