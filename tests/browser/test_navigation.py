"""The header's search ("/" then type: results as you type), dark mode, and a focus ring that can be seen."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import Team

#: WCAG 2.2 (1.4.11, 2.4.13): a focus indicator has at least 3:1 contrast with what surrounds it.
MIN_FOCUS_CONTRAST = 3.0

_FOCUS_COLOURS = """el => {
    const rgb = text => (text.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
    let behind = el.parentElement, background = [0, 0, 0, 0];
    while (behind) {
        background = rgb(getComputedStyle(behind).backgroundColor);
        if (background.length === 3 || background[3] > 0) break;
        behind = behind.parentElement;
    }
    if (!behind) background = rgb(getComputedStyle(document.documentElement).backgroundColor);
    const style = getComputedStyle(el);
    return {ring: rgb(style.outlineColor), width: parseFloat(style.outlineWidth), style: style.outlineStyle,
            background: background.slice(0, 3)};
}"""


def _luminance(rgb) -> float:
    def channel(value):
        value = value / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_slash_opens_the_search_and_results_come_as_you_type(demo, log_in, page):
    log_in("researcher")
    page.goto(f"{demo.url}/teams/")
    page.evaluate("window.__marker = 1")
    page.keyboard.press("/")
    box = page.locator("#site-search-input")
    expect(box).to_be_focused()
    team = Team.objects.order_by("name").first()
    box.press_sequentially(team.name[:6])
    results = page.locator("#site-search-results")
    expect(results.get_by_role("link", name=team.name)).to_be_visible()
    assert page.evaluate("window.__marker") == 1  # no page load: htmx filled the results
    box.press("Escape")
    expect(results).to_be_empty()
    # Typing "/" inside a text field types it, it does not jump.
    box.fill("")
    box.press_sequentially("a/b")
    expect(box).to_have_value("a/b")
    assert page.console_errors == []


def test_the_search_page_works_without_javascript(chromium, demo):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="researcher"))
    context = chromium.new_context(java_script_enabled=False)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": demo.url}])
    page = context.new_page()
    try:
        page.goto(f"{demo.url}/teams/")
        page.locator("#site-search-input").fill("Language")
        page.locator("#site-search-input").press("Enter")
        expect(page).to_have_url(re.compile(r"/search/\?q=Language$"))
        expect(page.locator("#search-results").get_by_role("link", name=re.compile("Language"))).not_to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_in_both_colour_schemes(demo, log_in, page, scheme):
    log_in("researcher")
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{demo.url}/teams/")
    page_background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    dark_page = _luminance([float(v) for v in re.findall(r"[\d.]+", page_background)[:3]]) < 0.1
    assert dark_page == (scheme == "dark")
    for selector in ["main a", ".site-header .nav a", "main input[type=search]"]:
        target = page.locator(selector).first
        page.keyboard.press("Tab")  # keyboard use: :focus-visible applies to what gets focus next
        target.focus()
        colours = target.evaluate(_FOCUS_COLOURS)
        assert colours["style"] != "none" and colours["width"] >= 2, (selector, colours)
        ratio = contrast(colours["ring"], colours["background"])
        assert ratio >= MIN_FOCUS_CONTRAST, (selector, scheme, colours, ratio)
