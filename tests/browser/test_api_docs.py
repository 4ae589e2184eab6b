"""The API's Swagger UI works in Chromium under the site's Content-Security-Policy, served by the app."""

from playwright.sync_api import expect


def test_swagger_ui_renders_the_schema_without_csp_errors(demo, page, log_in, screenshot):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in("researcher")
    page.goto(f"{demo.url}/api/docs/")
    expect(page.get_by_role("heading", name="Capacity API")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/teams/").first).to_be_visible()
    # "Try it out" with the session: the teams list answers with data.
    page.locator(".opblock-summary", has_text="/api/v1/teams/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    screenshot(page, "api-docs")
    assert page.console_errors == []
    assert all(url.startswith(demo.url) or url.startswith("data:") for url in requests)
