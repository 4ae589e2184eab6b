"""Single sign-on in Chromium: the whole authorization-code flow against a real provider started here."""

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from tests.api.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture
def provider(demo, django_db_blocker):
    """The provider, the app configured for it, and afterwards the demo as it was (others read it)."""
    from django.contrib.auth import get_user_model

    from api.models import OidcGroupMapping
    from inventory.models import Team

    idp = Provider().start()
    with django_db_blocker.unblock():
        teams = list(Team.objects.order_by("slug")[:2])
        mappings = [OidcGroupMapping.objects.create(group=f"/group-{n}", team=team) for n, team in enumerate(teams)]
    idp.teams = teams
    settings = {
        "OIDC_DISCOVERY_URL": idp.discovery_url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROVIDER_NAME": "Test IdP",
    }
    with override_settings(**settings):
        yield idp
    idp.stop()
    with django_db_blocker.unblock():
        for mapping in mappings:
            mapping.delete()
        get_user_model().objects.filter(oidc_identities__isnull=False).delete()


def _sign_in(page, demo):
    page.goto(f"{demo.url}/teams/")
    page.get_by_role("link", name="Sign in with Test IdP").click()


def _teams(username):
    from inventory.models import TeamMembership

    return set(TeamMembership.objects.filter(user__username=username).values_list("team__slug", flat=True))


def test_sign_in_follow_groups_and_refuse_bad_answers(demo, page, provider, screenshot):
    provider.user.groups = ["/group-0"]
    _sign_in(page, demo)
    expect(page).to_have_url(f"{demo.url}/teams/")
    expect(page.locator(".user-name")).to_have_text("Alice Aasen")
    assert _teams("alice") == {provider.teams[0].slug}
    screenshot(page, "oidc-signed-in")

    # Groups changed at the provider: the next sign-in moves the membership.
    page.get_by_role("button", name="Log out").click()
    provider.user.groups = ["/group-1"]
    _sign_in(page, demo)
    expect(page.locator(".user-name")).to_have_text("Alice Aasen")
    assert _teams("alice") == {provider.teams[1].slug}

    # A callback whose state this browser never issued.
    page.goto(f"{demo.url}/accounts/oidc/callback/?code=anything&state=forged")
    expect(page.get_by_role("alert")).to_contain_text("state does not match")

    # A code that expired before the app could redeem it.
    page.get_by_role("button", name="Log out").click()
    provider.code_lifetime = -1
    _sign_in(page, demo)
    expect(page.get_by_role("heading", name="Sign-in failed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("the code expired")
    screenshot(page, "oidc-expired-code")
    # The two refusals answer 400 (Chromium logs that); nothing else may go wrong (CSP, scripts).
    assert [error for error in page.console_errors if "status of 400" not in error] == []
