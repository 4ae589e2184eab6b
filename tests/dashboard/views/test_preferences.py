"""The units toggle: POST flips TB/TiB, remembers it for the user, and only redirects inside the site."""

from inventory.models import UnitPreference


def test_toggle_flips_and_persists(researcher_client, researcher):
    response = researcher_client.post("/preferences/units/", {"next": "/teams/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/teams/?q=x"
    assert UnitPreference.objects.get(user=researcher).binary is True
    page = researcher_client.get("/teams/")
    assert "Units: TiB (binary)" in page.content.decode()
    researcher_client.post("/preferences/units/", {"next": "/"})
    assert UnitPreference.objects.get(user=researcher).binary is False


def test_toggle_refuses_foreign_redirects(researcher_client):
    response = researcher_client.post("/preferences/units/", {"next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_toggle_needs_post_and_login(client, researcher_client):
    assert researcher_client.get("/preferences/units/").status_code == 405
    client.logout()
    assert client.post("/preferences/units/").status_code == 302
