from django.urls import path

from api.oidc.views import oidc_callback, oidc_login

urlpatterns = [
    path("login/", oidc_login, name="oidc-login"),
    path("callback/", oidc_callback, name="oidc-callback"),
]
