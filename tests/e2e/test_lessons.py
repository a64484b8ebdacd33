"""Every lesson in a real browser: load it, operate its main panel, check a number against the
engine, answer every question (predictions explained only after their panel is pressed), save
a screenshot, no console errors; keyboard use. The question checks run on the page the
lesson's panel test used; one test opens every lesson at phone width in one page."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from engine import activations as engine_activations
from frontend.course import COURSE
from nnweb.lessons.panels import (
    convolution,
    mask_rcnn,
    maximum_likelihood,
    pooling,
    propagation,
    why_cnns,
)
from nnweb.lessons.questions import all_questions

from .conftest import REPO_ROOT
from .page_checks import settled

SLUGS = [s.slug for s in COURSE]


@pytest.fixture
def shots() -> Path:
    out = REPO_ROOT / "test-results" / "lessons"  # not --output, which is emptied
    out.mkdir(parents=True, exist_ok=True)
    return out


def open_lesson(page, slug: str):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"/lessons/{slug}/")
    expect(page.locator("article.lesson h1")).to_be_visible()
    # KaTeX rendered the math, and the panels mounted
    expect(page.locator(".math[data-rendered=katex]").first).to_be_attached()
    expect(page.locator("[data-panel][data-mounted=true]").first).to_be_attached()


def finish(page, page_guard, shots: Path, slug: str):
    page.screenshot(path=str(shots / f"{slug}.png"), full_page=True)
    answer_every_question(page, slug)
    page_guard.assert_clean()


def test_every_lesson_at_phone_width(page, page_guard, shots):
    """All lessons opened on a phone, one after another in one page: no sideways scrolling,
    and every panel's labels drawn at a readable size (panels size themselves when drawn)."""
    page.set_viewport_size({"width": 390, "height": 844})
    problems = []
    for slug in SLUGS:
        page.goto(f"/lessons/{slug}/")
        expect(page.locator("[data-panel][data-mounted=true]").first).to_be_attached()
        expect(page.locator(".math[data-rendered=katex]").first).to_be_attached()
        page.wait_for_load_state("networkidle")  # the panels' first numbers are drawn
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert math.isfinite(overflow)
        if overflow > 1:
            problems.append(f"{slug}: the page is {overflow}px wider than a phone screen")
        small = page.evaluate(SMALL_CHART_TEXT, MIN_LABEL_PX)
        if small:
            problems.append(f"{slug}: labels too small: {small[:6]}")
        # Measured in KaTeX's own fonts, which arrive after the first layout (settled waits
        # for them, then for two painted frames, after math.ts has measured again).
        assert settled(page), f"{slug}: still loading after 15 s"
        stuck = page.evaluate(UNFOCUSABLE_SCROLLING_EQUATIONS)
        if stuck:
            problems.append(f"{slug}: equations scroll but take no keyboard focus: {stuck}")
        page.screenshot(path=str(shots / f"{slug}-phone.png"), full_page=False)
    assert not problems, "\n".join(problems)
    page_guard.assert_clean()


# Every label of every lesson chart and diagram at least 11 px at its rendered size on a phone
# (the chart module draws 12 px, grids and diagrams 11 px, drawn at scale 1).
MIN_LABEL_PX = 11
# Rendered size of every visible label in a panel's SVG: font size times the SVG's scale on
# screen (a viewBox shrunk to the page's width shrinks its text too). Returns the small ones.
SMALL_CHART_TEXT = """(min) => {
  const out = [];
  for (const t of document.querySelectorAll(".lesson-panel svg text")) {
    const panel = t.closest("[data-panel]").dataset.panel;
    const box = t.getBoundingClientRect();
    if (!t.textContent.trim() || !box.width || !box.height) continue;
    const m = t.getScreenCTM();
    const px = parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
    if (px < min - 0.01)
      out.push(`${panel}: "${t.textContent}" ${px.toFixed(1)} px`);
  }
  return out;
}"""


# Display equations wider than a phone scroll inside their own box; the keyboard must reach
# each one that does (math.ts markScrollingEquations). Returns the TeX of those it cannot.
UNFOCUSABLE_SCROLLING_EQUATIONS = """() => [...document.querySelectorAll(".katex-display")]
  .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.tabIndex !== 0)
  .map((e) => (e.closest("[data-tex]")?.dataset.tex ?? "?").slice(0, 40))"""


def press_panel(page, name: str):
    """Operate the panel a prediction is tied to: change its first select, else click its
    first button (what a student does to "press and see")."""
    panel = page.locator(f"[data-panel='{name}']")
    select = panel.locator("select")
    if select.count():
        values = select.first.locator("option").evaluate_all("os => os.map(o => o.value)")
        current = select.first.input_value()
        select.first.select_option(next(v for v in values if v != current))
    else:
        panel.locator("button:enabled").first.click()


def answer_every_question(page, slug: str):
    """No accepted answer or explanation in the source before it is revealed; every question
    can be answered (graded by the server); a prediction is recorded, and its explanation
    shows only once its panel has been pressed."""
    source = page.content()
    assert "data-answer" not in source
    for q in all_questions()[slug].values():
        box = page.locator(f".question[data-question='{q.id}']")
        answer = q.accepted[0] if q.graded else q.choices[0][0]
        assert q.reveal[:40] not in source
        if q.kind == "value":
            box.locator("input[type=text]").fill(answer)
        else:
            box.locator(f"input[type=radio][value='{answer}']").check()
        box.locator("button.check").click()
        if q.graded:
            expect(box.locator(".feedback")).to_have_text("Right.")
        else:
            expect(box.locator(".feedback")).to_contain_text("Prediction recorded")
            expect(box).to_have_attribute("data-result", "recorded")
            assert box.locator(".reveal").is_hidden(), f"{slug}/{q.id}: explained before the press"
            press_panel(page, q.panel)
            expect(box.locator(".feedback")).to_contain_text("You predicted, then pressed")
        expect(box.locator(".reveal")).to_be_visible()


def svg_numbers(page, testid: str) -> list[str]:
    return page.locator(f"[data-testid={testid}] g.cell text").all_text_contents()


def test_maximum_likelihood(page, page_guard, shots):
    open_lesson(page, "maximum-likelihood")
    value = page.get_by_test_id("nll-value")
    # the panel starts at the text's example: three classes, 0.7/0.2/0.1, E = -log 0.7 = 0.357
    expect(value).to_contain_text("−log ŷ = 0.3567")
    page.get_by_label("true class").select_option("2")
    expected = maximum_likelihood.nll_classification([0.7, 0.2, 0.1], 2)["nll"]
    expect(value).to_contain_text(f"{expected:.4f}".rstrip("0"))
    expect(page.get_by_test_id("gauss-value")).to_contain_text("NLL =")
    # the MLE-bias simulation: the page shows the engine's numbers
    first = maximum_likelihood.mle_variance()["rows"][0]
    summary = page.get_by_test_id("mle-summary")
    expect(summary).to_contain_text(f"with N = 2 the MLE averages {_fmt(first['mean_mle'], 3)}")
    expect(page.locator("[data-testid=mle-table] tr")).to_have_count(8)
    page.get_by_role("button", name="Draw new samples").click()
    expect(summary).not_to_contain_text(f"averages {_fmt(first['mean_mle'], 3)} ")
    finish(page, page_guard, shots, "maximum-likelihood")


def _fmt(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def test_forward_propagation(page, page_guard, shots):
    open_lesson(page, "forward-propagation")
    title = page.get_by_test_id("stage-title")
    expect(title).to_contain_text("layer 1")
    for _ in range(4):
        page.get_by_test_id("stage-next").click()
    expect(title).to_contain_text("Prediction and error")
    t = propagation.network_trace()
    expect(page.get_by_test_id("stage-numbers")).to_contain_text(_fmt(t["loss"], 5))
    finish(page, page_guard, shots, "forward-propagation")


def test_back_propagation(page, page_guard, shots):
    open_lesson(page, "back-propagation")
    title = page.get_by_test_id("stage-title")
    expect(title).to_contain_text("Prediction and error")
    for _ in range(12):
        page.get_by_test_id("stage-next").click()
    expect(title).to_contain_text("SGD update")
    t = propagation.network_trace()
    numbers = page.get_by_test_id("stage-numbers")
    expect(numbers).to_contain_text(f"{_fmt(t['loss'], 5)} → {_fmt(t['loss_after'], 5)}")
    # the computational graph, stepped node by node, then the layer formulas
    g = propagation.backprop_graph()
    rule = page.get_by_test_id("bp-rule")
    expect(rule).to_contain_text("Forward pass done")
    for step in g["backward"][:3]:
        page.get_by_test_id("bp-next").click()
        expect(rule).to_have_text(step["rule"])
    for _ in g["backward"][3:]:
        page.get_by_test_id("bp-next").click()
    expect(page.get_by_test_id("bp-step")).to_have_text(f"node {len(g['backward'])} of 10")
    expect(page.get_by_test_id("bp-formulas")).to_contain_text(f"= {_fmt(g['layer']['delta'], 4)}")
    finish(page, page_guard, shots, "back-propagation")


def test_sgd(page, page_guard, shots):
    open_lesson(page, "sgd")
    table = page.get_by_test_id("sgd-table")
    expect(table.locator("tr")).to_have_count(4, timeout=30_000)
    updates = [table.locator("tr").nth(i).locator("td").nth(1).inner_text() for i in (1, 2, 3)]
    # 128 samples, 15 epochs: m = 1, 16, 128
    assert updates == ["1920", "120", "15"]
    expect(page.get_by_test_id("lr-chart").locator("svg.line-chart")).to_be_visible()
    finish(page, page_guard, shots, "sgd")


def test_why_cnns(page, page_guard, shots):
    open_lesson(page, "why-cnns")
    result = page.get_by_test_id("param-result")
    r = why_cnns.param_count()
    expect(result).to_contain_text(f"{r['dense_params']:,}")
    expect(result).to_contain_text(f"conv: {r['conv_params']:,}")
    page.get_by_label("filters").fill("64")
    page.get_by_label("filters").dispatch_event("change")
    conv64 = why_cnns.param_count(out_channels=64)["conv_params"]
    expect(result).to_contain_text(f"conv: {conv64:,}")
    expect(page.get_by_test_id("equiv-result")).to_contain_text("away from the border: 0")
    page.get_by_role("button", name="layer 2 unit 1", exact=True).click()
    rf = page.get_by_test_id("rf-info")
    expect(rf).to_contain_text("reads 2 units of layer 1 directly and 3 inputs")
    finish(page, page_guard, shots, "why-cnns")


def test_convolution(page, page_guard, shots):
    open_lesson(page, "convolution")
    expect(page.get_by_test_id("conv-step")).to_contain_text("window 1 of 9")
    # keyboard: tab to the "next window" button and press Enter
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.dataset?.testid") == "conv-next":
            break
    else:
        pytest.fail("the Next button is not reachable with Tab")
    for _ in range(8):
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("conv-step")).to_contain_text("window 9 of 9")
    engine = convolution.conv2d()["output"]
    cells = svg_numbers(page, "conv-output")
    assert cells == [_fmt(v, 3) for row in engine for v in row] == [
        "4", "3", "4", "2", "4", "3", "2", "3", "4"
    ]  # fmt: skip
    page.get_by_role("button", name="previous window").click()
    page.get_by_role("button", name="previous window").click()
    page.get_by_role("button", name="previous window").click()
    expect(page.get_by_test_id("conv-sum")).to_contain_text("output[1][2] = ")
    expect(page.get_by_test_id("conv-sum")).to_contain_text("= 3")
    # the calculator warns when the stride does not fit
    page.get_by_label("stride S").fill("3")
    expect(page.get_by_test_id("outsize-result")).to_contain_text("= 9")
    expect(page.get_by_test_id("outsize-warning")).to_contain_text("does not fit")
    expect(page.get_by_test_id("volume-shape")).to_contain_text("4x22x22 volume (C x H x W)")
    # "Reset to the notes' example" resets every control, stride and padding too
    window = page.locator("[data-panel=conv-window]")
    window.get_by_label("stride", exact=True).select_option("2")
    window.get_by_label("padding", exact=True).select_option("same")
    expect(page.get_by_test_id("conv-step")).to_contain_text("of 9")
    page.get_by_role("button", name="Reset to the notes' example").click()
    expect(window.get_by_label("stride", exact=True)).to_have_value("1")
    expect(window.get_by_label("padding", exact=True)).to_have_value("valid")
    expect(page.get_by_test_id("conv-step")).to_contain_text("window 1 of 9")
    finish(page, page_guard, shots, "convolution")


def test_activations(page, page_guard, shots):
    open_lesson(page, "activations")
    page.get_by_label("activation").select_option("sigmoid")
    f = engine_activations.sigmoid(np.array([2.0]))[0]
    df = engine_activations.derivative("sigmoid", np.array([2.0]))[0]
    probe = page.get_by_test_id("act-probe")
    expect(probe).to_contain_text(f"f(2) = {_fmt(f, 3)}, f′(2) = {_fmt(df, 3)}")
    page.get_by_label("activation", exact=True).select_option("all_df")
    expect(probe).to_contain_text("never exceeds 0.25")
    expect(page.get_by_test_id("act-chart").locator("path")).not_to_have_count(0)
    expect(page.get_by_test_id("collapse-result")).to_contain_text("rounding only")
    commute = page.get_by_test_id("commute-result")
    expect(commute).to_contain_text("max pooling: largest difference 0")
    finish(page, page_guard, shots, "activations")


def test_pooling(page, page_guard, shots):
    open_lesson(page, "pooling")
    expect(page.locator("[data-testid=pool-output] g.cell")).to_have_count(4)
    engine = pooling.pool()
    assert svg_numbers(page, "pool-output") == [_fmt(v, 2) for row in engine["output"] for v in row]
    assert svg_numbers(page, "pool-output") == ["6", "8", "3", "4"]
    grad = svg_numbers(page, "pool-grad")
    assert grad == [_fmt(v, 2) for row in engine["grad_input"] for v in row]
    # keyboard: focus the bottom-right output cell and press Enter
    cell = page.locator("[data-testid=pool-output] g.cell").nth(3)
    cell.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("pool-info")).to_contain_text("output[1][1] = max(1, 0, 3, 4) = 4")
    expect(page.get_by_test_id("pool-depth")).to_contain_text("input 3×4×4 → output 3×2×2")
    page.get_by_label("pooling").select_option("avg")
    expect(page.get_by_test_id("pool-info")).to_contain_text("= 2")
    # small-translation invariance: one pixel right, 15 of 16 max-pooled values unchanged
    summary = page.get_by_test_id("pool-shift-summary")
    expect(summary).to_contain_text("All 7 of the 7 bright points moved one pixel right")
    expect(summary).to_contain_text("15 of the 16 max-pooled values")
    page.get_by_label("shift the input one pixel").select_option("down")
    expect(summary).to_contain_text("10 of the 16 max-pooled values")
    finish(page, page_guard, shots, "pooling")


def test_fully_connected(page, page_guard, shots):
    open_lesson(page, "fully-connected")
    expect(page.get_by_test_id("flatten-info")).to_contain_text("index")
    page.get_by_label("dataset").select_option("shapes")
    page.get_by_test_id("cnn-train").click()
    acc = page.get_by_test_id("cnn-accuracy")
    expect(acc).to_contain_text("held-out accuracy", timeout=60_000)
    m = re.search(r"on (\d+) images", acc.inner_text())
    assert m
    counts = svg_numbers(page, "cnn-confusion")
    assert sum(int(c) for c in counts) == int(m.group(1))
    finish(page, page_guard, shots, "fully-connected")


def test_mask_rcnn(page, page_guard, shots):
    open_lesson(page, "mask-rcnn")
    summary = page.get_by_test_id("roi-summary")
    r18 = mask_rcnn.roi_explain(18)["quantised_stride"]
    expect(summary).to_contain_text(f"{r18['outside']} cells outside the box")
    page.get_by_label("RoI", exact=True).select_option("17")
    r17 = mask_rcnn.roi_explain(17)["quantised_stride"]
    expect(summary).to_contain_text(f"{r17['dropped']} of 289 RoI cells lost")
    page.get_by_label("RoI", exact=True).select_option("18")
    page.get_by_label("method", exact=True).select_option("fast")
    expect(page.get_by_test_id("roi-detail")).to_contain_text("bin (0, 0): rows 0–2")
    page.get_by_label("method", exact=True).select_option("align")
    expect(summary).to_contain_text("2×2 sampling points")
    align = mask_rcnn.roi_explain(18, method="roi_align")
    first = align["bins"][0]["points"][0]["neighbours"][0]["weight"]
    expect(page.get_by_test_id("roi-detail")).to_contain_text(_fmt(first, 3))
    expect(page.get_by_test_id("mask-result")).to_contain_text("true class's map only")
    # the shipped model's pipeline, stage by stage
    text = page.get_by_test_id("inspect-text")
    expect(text).to_contain_text("anchors in all", timeout=30_000)
    for _ in range(5):
        page.get_by_test_id("inspect-next").click()
    expect(page.get_by_test_id("inspect-stage")).to_have_text("6. 28 × 28 masks and paste-back")
    expect(text).to_contain_text("detections:")
    # a grid without numbers is a picture, one pixel per cell (lesson_ui.ts's drawPicture)
    mask28 = page.get_by_test_id("inspect-mask28")
    expect(mask28).to_have_attribute("data-rows", "28")
    expect(mask28).to_have_attribute("data-cols", "28")
    assert mask28.locator("*").count() == 1  # the <image> alone: no cell elements, no lines
    assert page.evaluate(PICTURE_SIZE, "inspect-mask28") == [28, 28]
    # the live model, embedded from the segmentation app
    page.get_by_test_id("seg-run").click()
    expect(page.get_by_test_id("seg-summary")).to_contain_text("found (score", timeout=60_000)
    finish(page, page_guard, shots, "mask-rcnn")


# The pixel size of a picture grid's image: its rows and columns.
PICTURE_SIZE = """async (testid) => {
  const image = new Image();
  image.src = document.querySelector(`[data-testid=${testid}] image.cells`).getAttribute("href");
  await image.decode();
  return [image.height, image.width];
}"""


def test_every_lesson_has_its_browser_test():
    missing = [s for s in SLUGS if f"test_{s.replace('-', '_')}" not in globals()]
    assert not missing, f"lessons without a browser test: {missing}"


def test_a_signed_in_student_finds_their_answers_again(page, page_guard):
    # signing up in the page signs the new student in (and spawns no manage.py process)
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", "lesson_sam")
    page.fill("input[name=password1]", "lesson-Pass-2026")
    page.fill("input[name=password2]", "lesson-Pass-2026")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.goto("/lessons/pooling/")
    predict = page.locator(".question[data-question='predict']")
    q1 = page.locator(".question[data-question='q1']")
    predict.locator("input[value='two']").check()
    predict.locator("button.check").click()
    expect(predict.locator(".feedback")).to_contain_text("Prediction recorded")
    q1.locator("input[type=text]").fill("4")
    q1.locator("button.check").click()
    expect(q1.locator(".feedback")).to_have_text("Right.")
    page.reload()
    expect(predict.locator("input[value='two']")).to_be_checked()
    expect(predict).to_have_attribute("data-result", "recorded")
    expect(q1.locator("input[type=text]")).to_have_value("4")
    expect(q1.locator(".feedback")).to_have_text("Your saved answer is right.")
    expect(page.locator(".question[data-question='q2'] input[type=text]")).to_have_value("")
    # the saved prediction is still explained only after its panel is pressed
    expect(predict.locator(".reveal")).to_be_hidden()
    page.get_by_label("pooling").select_option("avg")
    expect(predict.locator(".reveal")).to_contain_text("All four, a quarter each")
    page_guard.assert_clean()
