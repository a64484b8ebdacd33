"""The issue's corrections to the lessons, checked against the rendered pages and the engine.

Each test failed on the lessons as they were (the quoted old wording, the four-class NLL panel,
H x W x C volumes, p for the output) and passes on the corrected text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from engine.activations import derivative
from frontend.course import COURSE
from nnweb.lessons.panels.convolution import KERNEL_PRESETS

pytestmark = pytest.mark.django_db


def lesson_text(client, slug: str) -> str:
    """The page's HTML without the quotations of the notes (which keep the notes' wording)."""
    html = client.get(f"/lessons/{slug}/").content.decode()
    html = re.sub(r"<p><strong>The notes say:</strong>.*?</p>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", html)


def test_one_error_convention_the_mean_with_delta_over_m(client):
    ml = lesson_text(client, "maximum-likelihood")
    assert "One convention for the whole course" in ml
    assert r"E = \frac{1}{N}\sum_{n=1}^{N} E_n" in ml
    assert r"\delta_n^{(L)} = (\hat y_n - y_n)/m" in ml
    fp = lesson_text(client, "forward-propagation")
    assert "summed, or" not in fp and r"E = \frac{1}{m}\sum_n E_n" in fp
    bp = lesson_text(client, "back-propagation")
    assert r"\delta_n^{(L)} = (\hat y_n - y_n)/m" in bp
    sgd = lesson_text(client, "sgd")
    assert r"\frac{1}{m} \sum_{n \in B}" in sgd


def test_softmax_delta_is_derived_through_its_jacobian_with_the_lessons_numbers(client):
    bp = lesson_text(client, "back-propagation")
    assert "this collapses" not in bp and "is <em>not</em> element-wise" in bp
    y_hat, t = np.array([0.7, 0.2, 0.1]), np.array([1.0, 0.0, 0.0])
    J = np.diag(y_hat) - np.outer(y_hat, y_hat)  # d y_hat_k / d u_h
    shown = re.search(r"= \\begin\{pmatrix\} (0\.21.*?)\\end\{pmatrix\}", bp).group(1)
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", shown)]
    np.testing.assert_allclose(numbers, J.ravel(), atol=1e-12)
    dE_dyhat = -t / y_hat
    delta = dE_dyhat @ J
    np.testing.assert_allclose(delta, y_hat - t, atol=1e-12)
    assert r"(-0.3,\ 0.2,\ 0.1) = \hat y - t" in bp


def test_mle_convergence_needs_a_well_specified_identifiable_model(client):
    ml = lesson_text(client, "maximum-likelihood")
    assert "<em>well specified</em>" in ml and "<em>identifiable</em>" in ml
    assert "approaches the parameters that really generated the data" not in ml
    assert r"\mathrm{RSS} = \sum_{n=1}^{N} (y_n - \hat y_n)^2" in ml


def test_nll_panel_is_the_texts_three_classes(client):
    ml = lesson_text(client, "maximum-likelihood")
    assert "Four classes" not in ml and "Three classes, as in the example" in ml
    src = open("frontend/ts/panels/nll_panel.ts", encoding="utf-8").read()
    assert "const K = 3;" in src and "Math.log(0.7), Math.log(0.2), Math.log(0.1)" in src


def test_dead_relu_can_recover_and_relu_prime_at_zero_is_stated(client):
    act = lesson_text(client, "activations")
    assert "never recovers" not in act and "can still come back" in act
    assert r"\mathrm{ReLU}'(0) = 0" in act
    assert derivative("relu", np.array([0.0]))[0] == 0.0  # what the text says the engine uses


def test_sharpening_kernel_sums_to_one_and_matching_needs_normalised_patches(client):
    assert np.sum(KERNEL_PRESETS["sharpen"]) == 1
    conv = lesson_text(client, "convolution")
    assert "It is large where the patch looks like the kernel." not in conv
    assert "summing to 1" in conv and "same brightness and contrast" in conv


def test_pooling_shows_small_translation_invariance_with_numbers(client, api_client):
    r = api_client.post("/api/lessons/pool_shift/", {}, format="json").json()
    x, xs = np.array(r["x"]), np.array(r["shifted"])
    np.testing.assert_array_equal(xs[:, 1:], x[:, :-1])  # one pixel to the right
    pool = lambda v: v.reshape(4, 2, 4, 2).max(axis=(1, 3))
    np.testing.assert_array_equal(r["pooled"], pool(x))
    np.testing.assert_array_equal(r["pooled_shifted"], pool(xs))
    assert r["outputs_unchanged"] == int((pool(x) == pool(xs)).sum()) == 15
    assert r["features_moved"] == r["features"] == 7
    page = lesson_text(client, "pooling")
    assert 'data-panel="pool-shift"' in page and "15 of the 16" in page


def test_mask_rcnn_lesson_corrections(client):
    page = lesson_text(client, "mask-rcnn")
    assert "The weights are positive" not in page and "non-negative" in page
    assert "<em>objectness</em>" in page and "four box offsets" in page
    assert "semantic segmentation</strong> — label pixels" not in page
    assert 'one <span class="math">28 \\times 28</span> binary mask per detected instance' in page
    assert "rounds twice" in page and "divided by the feature stride" in page


TRIPLE = re.compile(r"(\d+) (?:×|\\times) (\d+) (?:×|\\times) (\d+)")


@pytest.mark.parametrize("slug", [s.slug for s in COURSE])
def test_volumes_are_written_c_by_h_by_w(client, slug):
    page = lesson_text(client, slug)
    for c, hh, w in TRIPLE.findall(page):
        assert hh == w, f"{slug}: {c} × {hh} × {w} is not C × H × W (every image here is square)"
    assert r"W_{\text{out}} \times H_{\text{out}} \times F" not in page


def test_param_count_shapes_are_c_h_w(api_client):
    r = api_client.post("/api/lessons/param_count/", {}, format="json").json()
    assert r["input_shape"] == [1, 28, 28] and r["output_shape"] == [32, 26, 26]


@pytest.mark.parametrize("slug", ["maximum-likelihood", "back-propagation"])
def test_the_output_is_y_hat_not_p(client, slug):
    page = lesson_text(client, slug)
    math = " ".join(re.findall(r'class="math[^"]*">(.*?)</', page, flags=re.S))
    assert not re.search(r"(?<![\\a-zA-Z])p_\{?[kn]|(?<![\\a-zA-Z])p = \(|\\log p\b", math)
