"""OpenID Connect sign-in over HTTP against a real provider on a real socket (tests/api/oidc_provider.py)."""

from __future__ import annotations

import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from api.models import OidcGroupMapping, OidcIdentity
from inventory.models import Team, TeamMembership
from tests.api.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture
def provider(settings):
    idp = Provider().start()
    settings.OIDC_DISCOVERY_URL = idp.discovery_url
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    yield idp
    idp.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _at_provider(url: str) -> str:
    """What the browser does at the provider: follow its redirect back (returns our callback URL)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url)
    except HTTPError as answer:
        assert answer.code == 302
        return answer.headers["Location"]
    raise AssertionError("the provider did not redirect back")


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client, next_url: str = "/teams/"):
    start = client.get("/accounts/oidc/login/", {"next": next_url})
    assert start.status_code == 302 and start["Location"].startswith(f"{client.provider_url}/authorize?")
    return client.get(_local(_at_provider(start["Location"])))


@pytest.fixture
def browserless(client, provider):
    client.provider_url = provider.url
    return client


def test_first_sign_in_creates_the_user_with_mapped_teams(browserless, provider, db):
    team = Team.objects.create(name="Vision", slug="vision")
    OidcGroupMapping.objects.create(group="/vision", team=team, role="manager")
    provider.user.groups = ["/vision", "/unmapped"]
    response = sign_in(browserless)
    assert response.status_code == 302 and response["Location"] == "/teams/"
    user = get_user_model().objects.get(username="alice")
    assert (user.first_name, user.last_name, user.email) == ("Alice", "Aasen", "alice@example.org")
    assert not user.has_usable_password()
    assert TeamMembership.objects.get(user=user).role == "manager"
    assert OidcIdentity.objects.get(user=user).issuer == provider.url
    # Signed in: the page itself, not the login form.
    assert browserless.get("/teams/").status_code == 200


def test_team_membership_follows_the_groups_claim(browserless, provider, db):
    old, new, manual = (Team.objects.create(name=n, slug=n) for n in ("old", "new", "manual"))
    OidcGroupMapping.objects.create(group="g-old", team=old)
    OidcGroupMapping.objects.create(group="g-new", team=new)
    provider.user.groups = ["g-old"]
    sign_in(browserless)
    user = get_user_model().objects.get(username="alice")
    TeamMembership.objects.create(user=user, team=manual)  # added by an admin: not the provider's business
    browserless.logout()
    provider.user.groups = ["g-new"]
    provider.user.family_name = "Aasen-Berg"
    sign_in(browserless)
    teams = set(TeamMembership.objects.filter(user=user).values_list("team__slug", flat=True))
    assert teams == {"new", "manual"}
    user.refresh_from_db()
    assert user.last_name == "Aasen-Berg"
    assert get_user_model().objects.filter(username__startswith="alice").count() == 1


def test_groups_only_in_userinfo_are_read_from_there(browserless, provider, db):
    team = Team.objects.create(name="Speech", slug="speech")
    OidcGroupMapping.objects.create(group="speech", team=team)
    provider.groups_in_id_token = False
    provider.user.groups = ["speech"]
    assert sign_in(browserless).status_code == 302
    assert TeamMembership.objects.filter(user__username="alice", team=team).exists()


def test_a_wrong_state_is_refused(browserless, provider, db):
    start = browserless.get("/accounts/oidc/login/")
    back = _at_provider(start["Location"])
    forged = _local(back).replace("state=", "state=forged")
    response = browserless.get(forged)
    assert response.status_code == 400
    assert "state does not match" in response.content.decode()
    assert not get_user_model().objects.filter(username="alice").exists()


def test_an_expired_code_is_refused(browserless, provider, db):
    provider.code_lifetime = -1
    response = sign_in(browserless)
    assert response.status_code == 400 and "the code expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="alice").exists()


def test_a_used_code_cannot_sign_in_again(browserless, provider, db):
    start = browserless.get("/accounts/oidc/login/")
    back = _local(_at_provider(start["Location"]))
    assert browserless.get(back).status_code == 302
    browserless.logout()
    assert browserless.get(back).status_code == 400


def test_a_local_account_with_the_same_name_is_never_taken_over(browserless, provider, db):
    local = get_user_model().objects.create_user("alice", password="local-password-1")
    sign_in(browserless)
    identity = OidcIdentity.objects.get()
    assert identity.user != local and identity.user.username.startswith("alice-")


def test_unreachable_provider_is_a_clear_page(client, settings, db):
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "x"
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 502 and "could not be reached" in response.content.decode()


def test_login_page_offers_single_sign_on_when_configured(client, provider, db):
    html = client.get("/accounts/login/", {"next": "/teams/"}).content.decode()
    assert "Sign in with Test IdP" in html and "/accounts/oidc/login/?next=/teams/" in html


def test_without_configuration_there_is_no_button_and_no_flow(client, db):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/oidc/login/").status_code == 404


@pytest.mark.parametrize(
    ("mode", "researcher_in", "superuser_in", "form_shown"),
    [("on", True, True, True), ("superusers", False, True, True), ("off", False, False, False)],
)
def test_password_sign_in_can_be_limited_or_turned_off(
    client, settings, db, mode, researcher_in, superuser_in, form_shown
):
    settings.PASSWORD_LOGIN = mode
    User = get_user_model()
    User.objects.create_user("rita", password="pw-researcher-1")
    User.objects.create_superuser("root", password="pw-superuser-1")
    for username, password, expected in (
        ("rita", "pw-researcher-1", researcher_in),
        ("root", "pw-superuser-1", superuser_in),
    ):
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert (response.status_code == 302) is expected, (mode, username)
        client.logout()
    assert ('name="password"' in client.get("/accounts/login/").content.decode()) is form_shown


def test_admins_edit_the_group_mappings(admin_client, db):
    team = Team.objects.create(name="Robotics", slug="robotics")
    response = admin_client.post(
        "/admin/api/oidcgroupmapping/add/", {"group": "/robotics", "team": team.pk, "role": "member"}
    )
    assert response.status_code == 302
    assert OidcGroupMapping.objects.get().team == team
    listing = admin_client.get("/admin/api/oidcgroupmapping/").content.decode()
    assert "/robotics" in listing
