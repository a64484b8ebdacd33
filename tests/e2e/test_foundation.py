"""Foundation in a real browser: pages, KaTeX, live indicator, accounts, roles."""

from playwright.sync_api import expect


def test_home_page_loads_and_indicator_turns_live(page, page_guard):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("neural networks")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    nav = page.locator("nav.course-nav li")
    expect(nav).to_have_count(10)
    page_guard.assert_clean()
