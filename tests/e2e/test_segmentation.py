"""The segmentation demo in a real browser: a generated image gets at least one mask."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(
    os.environ.get("NNWEB_SEGMENTATION_MODEL")
    or REPO_ROOT / "engine/detection/weights/maskrcnn.onnx"
)

SEED = 7

pytestmark = pytest.mark.skipif(
    not MODEL.is_file(), reason=f"the shipped segmentation model {MODEL} is missing"
)


def test_generated_image_is_segmented_with_masks_boxes_and_provider(page, page_guard):
    page.goto("/segmentation/")
    stage = page.locator("#seg-stage")
    expect(stage).to_have_attribute("data-ready", "1")
    expect(page.locator("#seg-model option[selected]")).to_have_attribute("value", "shipped")

    # the button asks for a random image; pin its seed so the test is reproducible
    page.route(
        "**/api/segmentation/generate/",
        lambda route: route.continue_(post_data=json.dumps({"seed": SEED})),
    )
    page.locator("#seg-generate").click()
    expect(page.locator("#seg-truth")).to_contain_text(f"Seed {SEED}")
    masks = stage.locator("canvas.seg-mask")
    expect(masks.first).to_be_attached(timeout=20_000)
    assert masks.count() >= 1
    expect(stage.locator("g.seg-detection").first).to_be_attached()
    # the generated image's true boxes are drawn dashed for comparison (seed 7: 4 shapes)
    expect(stage.locator("rect.seg-truth")).to_have_count(4)
    expect(page.locator("#seg-provider")).to_have_text(re.compile(r"^(CPU|CUDA)$"))
    expect(page.locator("#seg-latency")).to_have_text(re.compile(r"^\d+(\.\d)? ms$"))
    expect(page.locator("#seg-error")).to_be_hidden()
    shown = int(stage.get_attribute("data-masks-shown"))
    assert shown == masks.count() >= 1
    assert page.locator("#seg-table tbody tr").count() == shown

    # the slider only filters: at 0 every detection shows, at 1 (almost) none
    page.locator("#seg-threshold").fill("0")
    total = int(page.locator("#seg-count").inner_text().split(" of ")[1])
    expect(page.locator("#seg-count")).to_have_text(f"{total} of {total}")
    assert masks.count() == total >= shown

    # a drawing goes through the same path
    canvas = page.locator("canvas.seg-draw-canvas")
    box = canvas.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + box["width"] * 0.15, cy + box["height"] * 0.15, steps=4)
    page.mouse.up()
    page.locator("#seg-draw-run").click()
    expect(page.locator("#seg-truth")).to_contain_text("Your drawing: 1 shape")
    expect(page.locator("#seg-count")).to_have_text(re.compile(r"^\d+ of \d+$"))
    expect(page.locator("#seg-error")).to_be_hidden()
    page_guard.assert_clean()
