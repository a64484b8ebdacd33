"""The foundation in a real browser: pages, KaTeX, live indicator, accounts, roles, jobs.

Every test here also fails (at teardown, through the `page` fixture's guard) if a request
tried to leave 127.0.0.1 or the page logged an unexpected console error.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

PASSWORD = "e2e-Pass-word-77"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def accounts(nnweb_server) -> dict[str, str]:
    """A student and an instructor, made in one manage.py call: {"student": name, ...}."""
    names = {"student": unique("stu"), "instructor": unique("prof")}
    nnweb_server.create_users(
        PASSWORD, students=(names["student"],), instructors=(names["instructor"],)
    )
    return names


def test_home_page_loads_and_indicator_turns_live(page, page_guard):
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text("neural networks")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("nav.course-nav li")).to_have_count(10)
    expect(page.locator("nav.course-nav")).to_contain_text("Mask R-CNN")
    page_guard.assert_clean()


def test_every_course_entry_opens_a_page(page):
    page.goto("/lessons/")
    hrefs = page.locator("nav.course-nav li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) == 10
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, href
        expect(page.locator("main h1")).not_to_be_empty()


def test_lesson_formulas_are_rendered_by_katex(page, page_guard):
    page.goto("/lessons/maximum-likelihood/")
    expect(page.locator("main h1")).to_have_text("Neural networks and maximum likelihood")
    math = page.locator("article .math")
    count = math.count()
    assert count >= 20
    expect(page.locator("article .math[data-rendered='katex']")).to_have_count(count)
    expect(page.locator("article .katex-display").first).to_be_visible()
    # KaTeX's own markup, with its CSS and fonts served locally.
    assert page.locator("article .katex .katex-html").count() >= count
    font = page.evaluate("getComputedStyle(document.querySelector('.katex')).fontFamily")
    assert "KaTeX" in font
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page_guard.assert_clean()


def test_sign_up_then_log_out_and_log_in(page, login):
    username = unique("stu")
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    expect(page.locator(".whoami")).to_contain_text(f"{username} (student)")
    with page.expect_navigation():
        page.click("text=Log out")
    expect(page.locator(".site-account")).to_contain_text("Log in")
    login(page, username, PASSWORD)
    expect(page.locator(".whoami")).to_contain_text(username)


def test_wrong_password_is_refused(page, accounts):
    username = accounts["student"]
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "not-the-password")
    page.click("form.form button[type=submit]")
    expect(page.locator("main")).to_contain_text("correct username and password")


def test_student_gets_403_on_instructor_page(page, page_guard, accounts, login):
    username = accounts["student"]
    login(page, username, PASSWORD)
    page_guard.allow_console(r"status of 403")
    response = page.goto("/accounts/people/")
    assert response is not None and response.status == 403
    expect(page.locator("main h1")).to_contain_text("403")
    api = page.request.get("/api/accounts/people/")
    assert api.status == 403


def test_instructor_sees_people_page(page, accounts, login):
    username = accounts["instructor"]
    login(page, username, PASSWORD)
    response = page.goto("/accounts/people/")
    assert response is not None and response.status == 200
    expect(page.locator("table.people")).to_contain_text(username)
    expect(page.locator("table.people")).to_contain_text("instructor")


def test_background_job_runs_on_the_worker(page):
    page.goto("/jobs/primes/")
    page.fill("input[name=n]", "1000")
    with page.expect_navigation():
        page.click("#primes-form button[type=submit]")
    expect(page.locator("#job-status")).to_have_attribute(
        "data-status", "SUCCESSFUL", timeout=30_000
    )
    expect(page.locator("#job-count")).to_have_text("168")
    expect(page.locator("#job-largest")).to_have_text("997")


def test_requests_leaving_localhost_are_blocked_and_reported(page, page_guard):
    fetch = """() => fetch("https://example.org/x.js").then(() => "sent", () => "blocked")"""
    # On nnweb's pages the content security policy (connect-src 'self') stops it first...
    page.goto("/")
    assert page.evaluate(fetch) == "blocked"
    assert any("connect-src" in e for e in page_guard.console_errors)
    # ...and on a page without that policy the guard itself aborts and reports it.
    page.goto("about:blank")
    assert page.evaluate(fetch) == "blocked"
    assert any("example.org" in url for url in page_guard.external_requests)
    # This test made the requests on purpose; clear them so the teardown guard passes.
    page_guard.external_requests.clear()
    page_guard.console_errors[:] = [
        e for e in page_guard.console_errors if not re.search(r"example\.org|ERR_FAILED", e)
    ]


def test_api_docs_load_from_this_server_only(page, page_guard):
    response = page.goto("/api/docs/")
    assert response is not None and response.status == 200
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=30_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/accounts/token/")
    page_guard.assert_clean()
