"""The playground in a real browser: build 2-4-2 on XOR, step it, read the formulas, train it,
save and reopen it, and open a classroom link that hides controls."""

from __future__ import annotations

import pytest

SETUP = "dataset=xor&hidden=4&activations=tanh&noise=0&lr=0.3&momentum=0.9&m=10&seed=1&speed=5"


def _open(page, query: str = SETUP):
    page.goto(f"/playground/?{query}")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page.evaluate("document.body.dataset.session")


def _api_stage(page, sid):
    r = page.request.get(f"/api/playground/sessions/{sid}/")
    assert r.ok, r.text()
    return r.json()["stage"]


def _neuron(page, l, j, attr):
    v = page.get_attribute(f"g.neuron[data-l='{l}'][data-j='{j}']", f"data-{attr}")
    return None if v in (None, "") else float(v)


def _wait_phase(page, phase, l=None):
    sel = f"#pg-stage[data-phase='{phase}']"
    page.wait_for_selector(sel, timeout=10_000)
    if l is not None:
        page.wait_for_function(
            f"() => document.getElementById('pg-stage').textContent.includes('layer {l}')"
        )


def test_step_xor_layer_by_layer_and_read_formulas(page, nnweb_server, login):
    nnweb_server.create_user("pg_student", "pw-Playground-1")
    login(page, "pg_student", "pw-Playground-1")
    sid = _open(page)
    assert page.locator("g.neuron").count() == 2 + 4 + 2
    # forward, layer by layer
    page.click("button[data-action='forward']")
    _wait_phase(page, "forward", 1)
    stage = _api_stage(page, sid)
    assert stage["forward_done"] == 1
    for j in range(4):
        assert _neuron(page, 1, j, "u") == stage["layers"][0]["u"][0][j]
        assert _neuron(page, 1, j, "a") == stage["layers"][0]["a"][0][j]
    assert _neuron(page, 2, 0, "u") is None
    page.keyboard.press("ArrowRight")  # → next stage: forward layer 2
    _wait_phase(page, "forward", 2)
    stage = _api_stage(page, sid)
    for j in range(2):
        assert _neuron(page, 2, j, "a") == stage["layers"][1]["a"][0][j]
    # backward
    page.click("button[data-action='backward']")
    _wait_phase(page, "backward", 2)
    page.click("button[data-action='backward']")
    _wait_phase(page, "backward", 1)
    stage = _api_stage(page, sid)
    for l, n in ((1, 4), (2, 2)):
        for j in range(n):
            assert _neuron(page, l, j, "delta") == stage["layers"][l - 1]["delta"][0][j]
    # a neuron's formulas with its numbers
    page.click("g.neuron[data-l='1'][data-j='0']")
    page.wait_for_selector("#pg-formula .katex")
    tex = " ".join(
        page.eval_on_selector_all("#pg-formula .formula-line", "els => els.map(e => e.dataset.tex)")
    )
    assert "u_{1}^{(1)} = \\sum_i w_{1i}^{(1)} a_i^{(0)} + b_{1}^{(1)}" in tex
    assert "\\delta_{1}^{(1)} = f'(u_{1}^{(1)})" in tex
    u = stage["layers"][0]["u"][0][0]
    assert f"{float(f'{u:.4g}'):g}".rstrip("0") in tex or f"{u:.4g}" in tex
    # update, then play until the test loss is below 0.1
    page.click("button[data-action='update']")
    _wait_phase(page, "updated")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => Number(document.getElementById('pg-metrics').dataset.testLoss) < 0.1", timeout=60_000
    )
    page.click("button[data-action='play']")  # pause
    page.wait_for_selector("button[data-action='play'][aria-pressed='false']")
    # save, reload, reopen
    page.fill("#pg-save-name", "xor 2-4-2")
    page.click("#pg-save-form button[type=submit]")
    page.wait_for_selector("#pg-experiments li a:text('xor 2-4-2')")
    saved = page.request.get("/api/playground/experiments/").json()["experiments"][0]
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    with page.expect_navigation():
        page.click("#pg-experiments li a:text('xor 2-4-2')")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    sid2 = page.evaluate("document.body.dataset.session")
    state = page.request.get(f"/api/playground/sessions/{sid2}/").json()
    assert state["iteration"] == saved["iteration"] > 0
    assert float(page.get_attribute("#pg-metrics", "data-iteration")) == saved["iteration"]


def test_classroom_link_hides_its_controls(page, nnweb_server, login):
    nnweb_server.create_user("pg_teacher", "pw-Playground-2", instructor=True)
    login(page, "pg_teacher", "pw-Playground-2")
    r = page.request.post(
        "/api/playground/classroom-links/",
        data={"config": {"dataset": "circle", "hidden": [3]}, "hide": ["lr", "momentum", "play"]},
        headers={
            "X-CSRFToken": next(
                c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"
            )
        },
    )
    assert r.status == 201, r.text()
    link = r.json()
    _open(page, "")  # any page first, then the link
    page.goto(link["url"])
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    assert not page.is_visible("[data-control='lr']")
    assert not page.is_visible("[data-control='momentum']")
    assert not page.is_visible("button[data-action='play']")
    assert page.is_visible("button[data-action='forward']")
    assert page.is_visible("[data-control='batch_size']")
    assert page.input_value("input[name='hidden']") == "3"
    # The page opened its session with the link's token: the server refuses what the link hides.
    session = page.evaluate("document.body.dataset.session")
    refused = page.request.post(
        f"/api/playground/sessions/{session}/actions/",
        data={"action": "play"},
        headers={
            "X-CSRFToken": next(
                c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"
            )
        },
    )
    assert refused.status == 403, refused.text()
    assert "classroom link" in refused.text()


def test_refusal_is_shown_in_the_page(page, page_guard):
    page_guard.allow_console(r"status of 400")  # the refused setup, answered with its reason
    _open(page, "hidden=4,40")
    assert "at most 16 neurons per layer" in page.inner_text("#pg-messages")


@pytest.mark.parametrize("query", ["dataset=sine&problem=regression&hidden=8"])
def test_regression_curve(page, query):
    _open(page, query)
    page.wait_for_selector("#pg-heatmap path.curve")


def test_batch_view_gradcheck_table_and_data_editor(page):
    sid = _open(page, SETUP)
    page.click("button[data-action='batch']")
    page.wait_for_selector("#pg-batch table.batch")
    assert page.locator("#pg-batch table.batch tbody tr").count() == 10 + 1  # m rows + mean
    page.click("button[data-action='gradcheck']")
    page.wait_for_selector("#pg-gradcheck table.gradcheck")
    assert page.locator("#pg-gradcheck tr.ok").count() == 4  # W1, b1, W2, b2
    n = len(page.request.get(f"/api/playground/sessions/{sid}/").json()["data"]["X"])
    page.click("#pg-heatmap svg", position={"x": 40, "y": 40})
    page.wait_for_function(
        f"() => document.querySelectorAll('#pg-heatmap circle.point').length === {n + 1}"
    )
    page.click("#pg-heatmap svg", position={"x": 40, "y": 40}, modifiers=["Shift"])
    page.wait_for_function(
        f"() => document.querySelectorAll('#pg-heatmap circle.point').length === {n}"
    )


XSS_CLASS = "<img src=y onerror=window.__pgXss=1>"


def test_uploaded_class_names_are_shown_as_text(page, nnweb_server):
    """Class names come from uploads: the page shows them as text and never parses them."""
    rows = ["x1,x2,label"] + [
        f"{(k % 7) / 7 - 0.5:g},{(k % 5) / 5 - 0.5:g},{XSS_CLASS if k % 2 else 'plain'}"
        for k in range(40)
    ]
    csv = ("\n".join(rows) + "\n").encode()
    code = (
        "import io\n"
        "from nnweb.accounts.services import ensure_user\n"
        "from nnweb.datasets.services import import_dataset\n"
        "t = ensure_user('pg_xss_teacher', 'pw-Playground-3', instructor=True)\n"
        f"f = io.BytesIO({csv!r}); f.name = 'xss.csv'\n"
        "ds = import_dataset(t, f, name='xss', target='label', visibility='public')\n"
        "print('DATASET', ds.pk)\n"
    )
    out = nnweb_server.manage("shell", "-c", code)
    ds_id = int(out.split("DATASET", 1)[1].split()[0])
    _open(page, f"dataset=dataset:{ds_id}&hidden=3&activations=tanh")
    options = page.eval_on_selector_all("#pg-add-class option", "els => els.map(e => e.text)")
    assert XSS_CLASS in options
    assert page.locator("#pg-add-class img, #pg-controls img, #pg-formula img").count() == 0
    page.click("g.neuron[data-l='0'][data-j='0']")
    page.wait_for_selector("#pg-formula h3")
    assert page.evaluate("window.__pgXss") is None
