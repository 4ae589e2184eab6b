"""Login throttling (django-axes): per username and per address, on the site and the admin login, with an unlock."""

import pytest
from django.contrib.auth import get_user_model

from tests.inventory.admin.conftest import _staff

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-1"


@pytest.fixture
def ola(db):
    return get_user_model().objects.create_user("ola", password=PASSWORD, is_staff=True)


def _login(client, username, password, *, url="/accounts/login/", address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while(client, ola, url):
    for _ in range(4):
        assert _login(client, "ola", "wrong", url=url).status_code == 200  # the form again, with its error
    assert _login(client, "ola", "wrong", url=url).status_code == 429  # the fifth failure locks
    response = _login(client, "ola", PASSWORD, url=url)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html and "15 minutes" in html
    assert "_auth_user_id" not in client.session
    # Another address does not help: the username is locked.
    assert _login(client, "ola", PASSWORD, url=url, address="10.0.0.2").status_code == 429


def test_one_address_guessing_many_usernames_is_locked_out(client, ola):
    for n in range(5):
        _login(client, f"guess{n}", "wrong", address="10.9.9.9")
    assert _login(client, "ola", PASSWORD, address="10.9.9.9").status_code == 429
    # Ola from their own address still gets in.
    assert _login(client, "ola", PASSWORD, address="10.0.0.7").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, ola):
    for _ in range(4):
        _login(client, "ola", "wrong")
    assert _login(client, "ola", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "ola", "wrong")
    assert _login(client, "ola", PASSWORD).status_code == 302


def test_an_infrastructure_admin_unlocks_a_user_in_the_admin(client, ola):
    for _ in range(5):
        _login(client, "ola", "wrong")
    assert _login(client, "ola", PASSWORD).status_code == 429
    unlocker = type(client)()
    unlocker.force_login(_staff("ines", "Infrastructure admins"))
    page = unlocker.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "ola" in page.content.decode()
    attempts = [str(pk) for pk in page.context["cl"].result_list.values_list("pk", flat=True)]
    response = unlocker.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert _login(client, "ola", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(client, ola, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.30.0.2"
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "ola", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out; a forged left-most entry does not help the first.
    other = client.post(
        "/accounts/login/",
        {"username": "ola", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="10.1.1.1, 198.51.100.77",
    )
    assert other.status_code == 302
