"""Lessons 2 and 3 embed the playground in guided mode (an <iframe> of
/playground/?...&guided=forward|backward&embed=1): step it and check the formula's numbers
against the playground's REST API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import REPO_ROOT


@pytest.fixture
def shots() -> Path:
    out = REPO_ROOT / "test-results" / "guided"  # not --output, which is emptied
    out.mkdir(parents=True, exist_ok=True)
    return out


def _open_embedded(page, slug: str):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/lessons/{slug}/")
    handle = page.wait_for_selector("iframe[data-testid=guided-playground]")
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return frame, frame.evaluate("document.body.dataset.session")


def _api_stage(page, sid):
    r = page.request.get(f"/api/playground/sessions/{sid}/")
    assert r.ok, r.text()
    return r.json()["stage"]


def _line(quantity: str) -> str:
    return f"#pg-guided .formula-line[data-quantity='{quantity}']"


def _values(frame, quantity):
    return json.loads(frame.get_attribute(_line(quantity), "data-values"))


def _tex(frame, quantity):
    return frame.get_attribute(_line(quantity), "data-tex")


def _fmt(x: float) -> str:
    # the page's fmt(): 4 significant digits, trailing zeros dropped
    s = f"{x:.4g}"
    return s.rstrip("0").rstrip(".") if "." in s and "e" not in s else s


def test_lesson_2_steps_the_embedded_playground_forward(page, page_guard, shots):
    frame, sid = _open_embedded(page, "forward-propagation")
    # compact layout: no site header, no setup form, no action buttons but "Next stage"
    assert not frame.is_visible(".site-header")
    assert not frame.is_visible("#pg-controls")
    assert not frame.is_visible("button[data-action='play']")
    assert frame.locator("#pg-guided").get_attribute("data-kind") == "idle"
    frame.click("#pg-next")
    frame.wait_for_selector("#pg-guided[data-kind='forward'][data-l='1'] .katex")
    stage = _api_stage(page, sid)
    assert stage["forward_done"] == 1
    u = stage["layers"][0]["u"][0]
    assert _values(frame, "u") == u
    assert _values(frame, "a") == stage["layers"][0]["a"][0]
    tex = _tex(frame, "u")
    assert tex.startswith("u^{(1)} = W^{(1)} a^{(0)} + b^{(1)}")
    assert _fmt(u[0]) in tex
    # the diagram shows the same u for that neuron, and its layer is the highlighted one
    assert float(frame.get_attribute("g.neuron[data-l='1'][data-j='0']", "data-u")) == u[0]
    assert frame.locator("g.neuron.current[data-l='1']").count() == 3
    # → in the frame: the output layer, softmax and the error E_n
    frame.locator("#pg-next").focus()
    frame.press("#pg-next", "ArrowRight")
    frame.wait_for_selector("#pg-guided[data-kind='forward'][data-l='2']")
    stage = _api_stage(page, sid)
    assert _values(frame, "u") == stage["layers"][1]["u"][0]
    assert _values(frame, "E") == pytest.approx(stage["losses"][0], rel=1e-12)
    page.screenshot(path=str(shots / "forward-propagation.png"), full_page=True)
    page_guard.assert_clean()


def test_lesson_3_steps_the_embedded_playground_backward(page, page_guard, shots):
    frame, sid = _open_embedded(page, "back-propagation")
    # the guided backward mode starts with the forward pass done
    frame.wait_for_selector("#pg-guided[data-kind='forward'][data-l='2']")
    frame.click("#pg-next")
    frame.wait_for_selector("#pg-guided[data-kind='backward'][data-l='2'] .katex")
    stage = _api_stage(page, sid)
    delta2 = stage["layers"][1]["delta"][0]
    assert _values(frame, "delta") == delta2
    assert "(\\hat y - t)" in _tex(frame, "delta")
    assert _values(frame, "dE_dW") == stage["layers"][1]["dE_dW"]
    frame.click("#pg-next")
    frame.wait_for_selector("#pg-guided[data-kind='backward'][data-l='1']")
    stage = _api_stage(page, sid)
    delta1 = stage["layers"][0]["delta"][0]
    assert _values(frame, "delta") == delta1
    assert _values(frame, "dE_da") == stage["layers"][0]["dE_da"][0]
    assert _fmt(delta1[0]) in _tex(frame, "delta")
    assert float(frame.get_attribute("g.neuron[data-l='1'][data-j='0']", "data-delta")) == delta1[0]
    frame.click("#pg-next")
    frame.wait_for_selector("#pg-guided[data-kind='update']")
    state = page.request.get(f"/api/playground/sessions/{sid}/").json()
    assert state["iteration"] == 1
    shown = _values(frame, "W1")
    for row_shown, row_api in zip(shown, state["params"]["W1"], strict=True):
        assert row_shown == pytest.approx(row_api, rel=1e-12, abs=1e-15)
    page.screenshot(path=str(shots / "back-propagation.png"), full_page=True)
    page_guard.assert_clean()
