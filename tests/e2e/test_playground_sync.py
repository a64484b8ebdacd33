"""The playground page draws what the session holds: after every action button each edge's
data-w is the session's weight and each neuron's data-a the trace of the chosen sample; the
network and the output share the first 1280×800 screen; 390 px wide stacks without sideways
scrolling; axe-core finds nothing critical or serious; stepping, formulas, weight edits and
points work by keyboard alone."""

from __future__ import annotations

import time

from .page_checks import axe_violations, format_violations, sideways_overflow

SETUP = "dataset=xor&hidden=4&activations=tanh&noise=0&seed=1&m=10"


def _open(page, query: str = SETUP):
    page.goto(f"/playground/?{query}")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page.evaluate("document.body.dataset.session")


def _diagram(page) -> dict:
    return page.evaluate(
        """() => ({
          edges: [...document.querySelectorAll('#pg-diagram line.edge')].map(e =>
            [+e.dataset.l, +e.dataset.j, +e.dataset.i, e.dataset.w]),
          neurons: [...document.querySelectorAll('#pg-diagram g.neuron')].map(n =>
            [+n.dataset.l, +n.dataset.j, n.dataset.a]),
        })"""
    )


def _mismatch(page, sid) -> str | None:
    """What the page shows differently from the session (None when it agrees)."""
    state = page.request.get(f"/api/playground/sessions/{sid}/").json()
    params, stage = state["params"], state["stage"]
    shown = _diagram(page)
    n_edges = sum(len(W) * len(W[0]) for k, W in params.items() if k.startswith("W"))
    if len(shown["edges"]) != n_edges:
        return f"{len(shown['edges'])} edges drawn, the network has {n_edges}"
    for l, j, i, w in shown["edges"]:
        if float(w) != params[f"W{l}"][j][i]:
            return f"w_{j}{i}^({l}) drawn {w}, session has {params[f'W{l}'][j][i]}"
    for l, j, a in shown["neurons"]:
        if l == 0 or not stage.get("a0"):
            continue
        layer = stage["layers"][l - 1]
        want = layer["a"][0][j] if "a" in layer else None
        got = None if a in (None, "") else float(a)
        if got != want:
            return f"a_{j}^({l}) drawn {a}, trace has {want}"
    return None


def _agrees(page, sid, what: str) -> None:
    deadline = time.monotonic() + 10
    while (problem := _mismatch(page, sid)) is not None and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert problem is None, f"after {what}: {problem}"


def _iteration(page) -> int:
    return int(page.get_attribute("#pg-metrics", "data-iteration"))


def test_every_panel_follows_the_session_after_each_action(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sid = _open(page)
    for name in ("diagram", "heatmap"):  # the network and what it computes on one screen
        box = page.locator(f"#pg-{name}").bounding_box()
        assert box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= 1280, (name, box)
    _agrees(page, sid, "opening")
    for action in ("step", "batch", "epoch"):
        before = _iteration(page)
        page.click(f"button[data-action='{action}']")
        page.wait_for_function(
            f"() => +document.getElementById('pg-metrics').dataset.iteration > {before}"
        )
        _agrees(page, sid, action)
    for action in ("forward", "forward", "backward", "backward", "update"):
        page.click(f"button[data-action='{action}']")
        page.wait_for_timeout(150)
        _agrees(page, sid, action)
    page.click("button[data-action='reset']")
    page.wait_for_function("() => document.getElementById('pg-metrics').dataset.iteration === '0'")
    _agrees(page, sid, "reset")
    page.click("line.edge[data-l='2'][data-j='1'][data-i='3']")
    page.fill(".pg-weight-editor input", "0.75")
    page.press(".pg-weight-editor input", "Enter")
    page.wait_for_selector("line.edge[data-l='2'][data-j='1'][data-i='3'][data-w='0.75']")
    _agrees(page, sid, "a weight edit")
    n = len(page.request.get(f"/api/playground/sessions/{sid}/").json()["data"]["X"])
    page.fill("#pg-point-form input[name='x1']", "0.5")
    page.fill("#pg-point-form input[name='x2']", "-0.5")
    page.click("#pg-point-form button[type='submit']")
    page.wait_for_function(
        f"() => document.querySelectorAll('#pg-heatmap circle.point').length > {n}"
    )
    assert page.get_attribute("#pg-metrics", "data-test-loss") not in (None, "", "NaN")
    _agrees(page, sid, "adding a point")
    page.click("#pg-remove-point")
    page.wait_for_function(
        f"() => document.querySelectorAll('#pg-heatmap circle.point').length === {n}"
    )
    _agrees(page, sid, "removing a point")
    # another data set and a wider network: every panel is rebuilt
    page.click("button[data-dataset='sine']")
    page.wait_for_selector("#pg-heatmap path.curve")
    page.click("button[data-dataset='spiral']")
    page.wait_for_function("() => !document.querySelector('#pg-heatmap path.curve')")
    page.click("button[aria-label='one neuron more in hidden layer 1']")
    page.wait_for_function("() => document.querySelectorAll('#pg-thumbs figure').length === 5")
    _agrees(page, sid, "a data set switch and a new neuron")


def test_narrow_and_accessible(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    _open(page)
    page.click("g.neuron[data-l='1'][data-j='0']")
    found = axe_violations(page)
    assert not found, format_violations(found)
    page.set_viewport_size({"width": 390, "height": 800})
    page.wait_for_timeout(200)
    assert sideways_overflow(page) == 0
    found = axe_violations(page)
    assert not found, format_violations(found)


def test_stepping_formula_weight_and_point_by_keyboard(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sid = _open(page)
    for _presses in range(12):  # the skip link comes right after the site's header
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "pg-skip":
            break
    assert page.evaluate("document.activeElement.className") == "pg-skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the diagram: the weights are one tab stop
    assert page.evaluate("document.activeElement.classList.contains('edge')")
    page.keyboard.press("Tab")  # then the neurons, input 1 first
    assert page.evaluate("document.activeElement.dataset.l") == "0"
    page.keyboard.press("ArrowRight")  # → forward layer 1
    page.wait_for_selector("#pg-stage[data-phase='forward']")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.getElementById('pg-stage').textContent.includes('layer 2')"
    )
    for _ in range(2):  # from input 1 to neuron 1 of layer 1
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.l") == "1"
    page.keyboard.press("Enter")  # its formulas
    page.wait_for_selector("#pg-formula[data-l='1'][data-j='0'] .katex")
    for _ in range(3):  # back to the weights; arrows move along them, Enter edits
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.classList.contains('edge')")
    page.keyboard.press("ArrowDown")
    l, j, i = page.evaluate("['l', 'j', 'i'].map(k => +document.activeElement.dataset[k])")
    page.keyboard.press("Enter")
    page.wait_for_selector(".pg-weight-editor input:focus")
    page.keyboard.press("Control+A")
    page.keyboard.type("-0.5")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"line.edge[data-l='{l}'][data-j='{j}'][data-i='{i}'][data-w='-0.5']")
    assert (
        page.request.get(f"/api/playground/sessions/{sid}/").json()["params"][f"W{l}"][j][i] == -0.5
    )
    # a point by the small form: x1, x2, class, Enter
    n = len(page.request.get(f"/api/playground/sessions/{sid}/").json()["data"]["X"])
    page.focus("#pg-point-form input[name='x1']")
    page.keyboard.type("0.25")
    page.keyboard.press("Tab")
    page.keyboard.type("0.75")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # class 1
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Add point"
    page.wait_for_function(
        f"() => document.querySelectorAll('#pg-heatmap circle.point').length > {n}"
    )
    X = page.request.get(f"/api/playground/sessions/{sid}/").json()["data"]["X"]
    assert X[-1] == [0.25, 0.75]
