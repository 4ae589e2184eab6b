"""Every page needs a login; the login page itself and /healthz do not."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/teams/", "/projects/", "/storage/", "/allocations/"])
def test_anonymous_users_are_redirected_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_login_page_renders_in_the_apps_layout(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#main"' in html  # skip link
    assert "<main" in html
    assert "htmx" in html  # served by the app itself


@pytest.mark.django_db
def test_logging_in_and_out(client, django_user_model):
    django_user_model.objects.create_user("ola", password="a-long-pass-phrase")
    response = client.post("/accounts/login/", {"username": "ola", "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_unknown_page_gives_a_helpful_404(researcher_client):
    response = researcher_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "/no-such-page/" in response.content.decode()
