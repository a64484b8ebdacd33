"""A class in real browsers: an instructor creates a class and a challenge, two students join
and work in the playground, the live view shows both tiles updating, "send to class" reaches
both playgrounds, and the grade book CSV has the scores the server measured."""

from __future__ import annotations

import csv
import io
import json

from nnweb.core.errors import ws_error

from .page_checks import axe_violations, format_violations, sideways_overflow

PW = "pw-Classes-1"
PLAYGROUND = "/playground/?dataset=xor&hidden=8&lr=0.3&noise=0.1"


def _csrf(ctx) -> str:
    return next(c["value"] for c in ctx.cookies() if c["name"] == "csrftoken")


def _student(browser, base_url, login, name, code):
    ctx = browser.new_context(base_url=base_url)
    page = ctx.new_page()
    login(page, name, PW)
    page.goto(f"/classes/join/{code}/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(PLAYGROUND)
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return ctx, page


def _tile_iteration(page, name) -> int:
    v = page.get_attribute(f".live-tile[data-username='{name}']", "data-iteration")
    return int(v) if v else -1


def test_class_live_view_send_and_gradebook(page, browser, base_url, nnweb_server, login):
    nnweb_server.create_users(
        PW, students=("cl_ann", "cl_ben", "cl_cas"), instructors=("cl_teacher",)
    )
    login(page, "cl_teacher", PW)
    page.goto("/classes/")
    page.fill("#class-name", "Tuesday lab")
    with page.expect_navigation():
        page.click("section[aria-labelledby='create-title'] button")
    class_url = page.url
    code = page.get_attribute("[data-join-code]", "data-join-code")
    page.fill("#a-title", "XOR 90")
    page.select_option("#a-kind", "challenge")
    assert page.is_hidden("fieldset[data-kind='lesson']")  # the form shows the chosen kind
    page.fill("#a-due", "2030-01-01T12:00")
    page.select_option("#g-dataset", "xor")
    page.fill("#g-acc", "90")
    page.fill("#g-neurons", "8")
    with page.expect_navigation():
        page.click("#assignment-form button[type=submit]")
    assert "XOR 90" in page.inner_text("#assignment-form ~ *, main")
    link = page.request.post(
        "/api/playground/classroom-links/",
        data={"config": {"dataset": "circle", "hidden": [3]}, "hide": ["lr"], "title": "Circles"},
        headers={"X-CSRFToken": _csrf(page.context)},
    )
    assert link.status == 201, link.text()

    ann_ctx, ann = _student(browser, base_url, login, "cl_ann", code)
    ben_ctx, ben = _student(browser, base_url, login, "cl_ben", code)

    page.goto(class_url + "live/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.live-tile')]"
        ".every(t => t.dataset.iteration === '0')",
        timeout=15_000,
    )
    # both students train; their tiles follow
    for p in (ann, ben):
        for _ in range(3):
            p.click("button[data-action='epoch']")
            p.wait_for_timeout(150)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.live-tile')].every(t => +t.dataset.iteration > 0)",
        timeout=15_000,
    )
    assert _tile_iteration(page, "cl_ann") > 0 and _tile_iteration(page, "cl_ben") > 0
    # a student who joins after the live view loaded appears once their playground opens
    cas_ctx, _cas = _student(browser, base_url, login, "cl_cas", code)
    page.wait_for_selector(".live-tile[data-username='cl_cas'][data-iteration='0']", timeout=15_000)
    names = page.eval_on_selector_all(".live-tile", "els => els.map(e => e.dataset.username)")
    assert names == ["cl_ann", "cl_ben", "cl_cas"]
    assert page.get_attribute(".live-tile[data-username='cl_cas'] a", "href").endswith("/")
    cas_ctx.close()
    assert not (v := axe_violations(page)), format_violations(v)
    assert sideways_overflow(page) == 0
    page.screenshot(path="/tmp/classes-live.png", full_page=True)

    # send to class: both playgrounds ask; ann accepts, ben keeps his network
    page.click("#send-form button[type=submit]")
    # Predicates as functions: an expression string is eval'd, which the page's CSP refuses.
    page.wait_for_function(
        "() => document.getElementById('send-status').textContent.startsWith('Sent')"
    )
    for p in (ann, ben):
        p.wait_for_selector("#class-setup-offer", timeout=10_000)
        assert "Circles" in p.inner_text("#class-setup-offer")
    with ann.expect_navigation():
        ann.click("#class-setup-offer button.primary")
    assert "/playground/c/" in ann.url
    ben.click("#class-setup-offer button:not(.primary)")
    assert ben.query_selector("#class-setup-offer") is None

    # ben trains his own session to the goal and checks it from the class page
    sid = ben.evaluate("document.body.dataset.session")
    done = 0
    while done < 40:
        r = ben.request.post(
            f"/api/playground/sessions/{sid}/actions/",
            data={"action": "epoch"},
            headers={"X-CSRFToken": _csrf(ben_ctx)},
        )
        if r.status == 429:  # the per-session action throttle: wait as told and go on
            ben.wait_for_timeout(1000 * float(r.headers.get("retry-after", "1")))
            continue
        assert r.ok, r.text()
        done += 1
    ben.goto(class_url)
    with ben.expect_navigation():
        ben.click("text=Check my playground")
    assert "goal met" in ben.inner_text("main")

    # a tile opens a read-only snapshot
    page.goto(class_url + "live/")
    with page.expect_navigation():
        page.click(".live-tile[data-username='cl_ben'] a")
    assert int(page.get_attribute("[data-iteration]", "data-iteration")) >= 40

    page.goto(class_url)
    assert not (v := axe_violations(page)), format_violations(v)
    page.screenshot(path="/tmp/classes-class.png", full_page=True)
    resp = page.request.get(class_url + "gradebook.csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(resp.text()))}
    assert rows["student"][1:3] == ["XOR 90 status", "XOR 90 score"]
    assert rows["cl_ben"][1:3] == ["passed", "1.000"]
    assert rows["cl_ann"][1:3] == ["not_started", ""]
    ann_ctx.close()
    ben_ctx.close()


def _refusing(calls: list):
    def handler(ws) -> None:
        calls.append(ws.url)
        # what the live-view consumer sends before closing (nnweb.core.errors.ws_error)
        ws.send(
            json.dumps(
                ws_error(
                    "permission_denied", "Only the instructors of this class see its live view."
                )
            )
        )
        ws.close(code=4403)

    return handler


def test_live_view_stops_and_says_why_when_refused(page, nnweb_server, login):
    """A refused live view (4403: the instructor lost access since the page loaded) stops
    instead of reconnecting forever, and says why on the page."""
    nnweb_server.create_user("cl_refused", PW, instructor=True)
    login(page, "cl_refused", PW)
    page.goto("/classes/")
    page.fill("#class-name", "Refused lab")
    with page.expect_navigation():
        page.click("section[aria-labelledby='create-title'] button")
    calls: list = []
    page.route_web_socket("**/ws/classes/**", _refusing(calls))
    page.goto(page.url + "live/")
    page.wait_for_selector("#live-status:not([hidden])", timeout=10_000)
    page.wait_for_timeout(2500)  # the socket's back-off would have retried twice by now
    assert len(calls) == 1, calls
    assert "Only the instructors" in page.inner_text("#live-status")
    assert page.get_attribute("#live-tiles", "data-socket") == "refused"
