"""Signing in through the real login form, as the demo's researcher."""

import re

from playwright.sync_api import expect


def test_researcher_logs_in_through_the_form_and_lands_where_they_were_going(demo, page, screenshot):
    page.goto(f"{demo.url}/teams/")
    # Every page needs a login: the browser is sent to the form, remembering where it was going.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/teams/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "login")

    page.get_by_label("Username").fill("researcher")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")

    page.get_by_label("Username").fill("researcher")
    page.get_by_label("Password").fill("researcher")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{demo.url}/teams/")
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    # The header names the signed-in researcher and offers no admin link (not staff).
    expect(page.locator(".user-name")).to_have_text("Rita Solberg")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_have_count(0)
    assert page.console_errors == []
