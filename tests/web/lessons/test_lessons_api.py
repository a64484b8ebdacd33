"""The lessons API: the notes' worked examples, computed by the engine, and clear 400s."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.django_db

NOTES_IMAGE = [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
]
NOTES_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
NOTES_POOL = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def post(api_client, name, body=None, status=200):
    r = api_client.post(f"/api/lessons/{name}/", body or {}, format="json")
    assert r.status_code == status, r.content
    return r.json()


def test_notes_convolution_example(api_client):
    r = post(api_client, "conv2d", {"image": NOTES_IMAGE, "kernel": NOTES_KERNEL})
    assert r["output"] == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert len(r["windows"]) == 9
    # the window the notes draw: rows 1-3, columns 2-4 -> output (1, 2) = 3
    w = next(w for w in r["windows"] if w["out"] == [1, 2])
    assert w["top_left"] == [1, 2]
    assert w["sum"] == 3
    assert w["products"] == [[1, 0, 0], [0, 1, 0], [1, 0, 0]]


def test_convolution_same_padding_and_stride(api_client):
    r = post(
        api_client,
        "conv2d",
        {"image": NOTES_IMAGE, "kernel": NOTES_KERNEL, "padding": "same", "stride": 1},
    )
    assert r["output_shape"] == [5, 5]
    assert r["output"][1][1:4] == [4, 3, 4]
    r = post(api_client, "conv2d", {"image": NOTES_IMAGE, "kernel": NOTES_KERNEL, "stride": 2})
    assert r["output"] == [[4, 4], [2, 4]]


def test_output_size_28_by_3(api_client):
    r = post(api_client, "output_size", {"width": 28, "kernel": 3})
    assert r["output"] == 26
    assert r["warning"] is None


def test_output_size_warns_when_stride_does_not_fit(api_client):
    r = post(api_client, "output_size", {"width": 7, "kernel": 3, "stride": 3, "padding": 0})
    assert r["output"] == 2
    assert "does not fit" in r["warning"]
    # the notes' (W - K + 1)/S gives 5/3 here
    assert r["notes_formula_agrees"] is False
    r = post(api_client, "output_size", {"width": 20, "kernel": 3, "padding": "same"})
    assert r["output"] == 20


def test_output_size_rejects_kernel_larger_than_input(api_client):
    r = post(api_client, "output_size", {"width": 2, "kernel": 5}, status=400)
    assert "kernel" in str(r)


def test_notes_max_pool_example_and_gradient_routing(api_client):
    r = post(api_client, "pool", {"x": NOTES_POOL})
    assert r["output"] == [[6, 8], [3, 4]]
    assert r["argmax"] == [[[1, 1], [1, 3]], [[2, 0], [3, 3]]]
    assert r["grad_input"] == [[0, 0, 0, 0], [0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 0, 1]]
    r = post(api_client, "pool", {"x": NOTES_POOL, "mode": "avg"})
    assert r["output"] == [[3.25, 5.25], [2, 2]]
    assert r["grad_input"][0] == [0.25] * 4


def test_pool_keeps_depth(api_client):
    r = post(api_client, "pool", {"x": [NOTES_POOL, NOTES_POOL, NOTES_POOL]})
    assert r["output_shape"] == [3, 2, 2]


def test_activation_samples_from_the_engine(api_client):
    body = {"name": "leaky_relu", "alpha": 0.2, "lo": -1, "hi": 1, "n": 3}
    r = post(api_client, "activation", body)
    assert r["f"] == [-0.2, 0, 1]
    assert r["df"] == [0.2, 0.2, 1]
    r = post(api_client, "activation", {"name": "sigmoid", "lo": 0, "hi": 0, "n": 2}, status=400)
    assert "hi" in str(r)


def test_linear_layers_collapse_and_relu_pool_commute(api_client):
    r = post(api_client, "linear_collapse", {"seed": 3})
    assert r["max_diff_linear"] < 1e-12
    assert r["max_diff_relu"] > 1e-3
    r = post(api_client, "relu_pool", {"seed": 1})
    assert r["max_diff_max"] == 0
    assert r["max_diff_avg"] > 0


def test_nll_and_gaussian(api_client):
    r = post(api_client, "nll", {"probs": [0.2, 0.5, 0.3], "true_class": 1})
    assert r["nll"] == pytest.approx(0.693147, abs=1e-6)
    r = post(api_client, "gaussian_nll", {"y": [1, 2, 3], "y_hat": [1.5, 2, 2], "sigma": 2})
    assert r["half_sse"] == pytest.approx(0.625)
    assert r["nll"] == pytest.approx(r["nll_direct"])
    assert r["nll"] == pytest.approx(0.625 / 4 + 1.5 * math.log(8 * math.pi))


def test_param_count_and_equivariance(api_client):
    r = post(api_client, "param_count", {})
    assert r["output_shape"] == [32, 26, 26]
    assert r["conv_params"] == 3 * 3 * 32 + 32
    assert r["dense_params"] == 784 * 26 * 26 * 32 + 26 * 26 * 32
    r = post(api_client, "equivariance", {"dy": 1, "dx": -2})
    assert r["max_diff_interior"] == 0
    assert r["max_diff"] > 0


def test_roi_examples(api_client):
    r = post(api_client, "roi", {"size": 17})
    q = r["quantised_stride"]
    assert q["stride"] == [2, 2] and q["stride_exact"][0] == pytest.approx(17 / 7, abs=1e-9)
    assert q["dropped_rows"] == [14, 15, 16]
    assert q["dropped"] == 17 * 17 - 14 * 14
    r = post(api_client, "roi", {"size": 18})
    q = r["quantised_stride"]
    assert q["stride"] == [3, 3]
    assert q["outside"] == 21 * 21 - 18 * 18
    assert r["rows"] == [[0, 3], [2, 6], [5, 8], [7, 11], [10, 13], [12, 16], [15, 18]]
    r = post(api_client, "roi", {"size": 17, "method": "roi_align", "sampling_ratio": 2})
    assert r["bin_size"][0] == pytest.approx(17 / 7)
    assert len(r["bins"]) == 49 and len(r["bins"][0]["points"]) == 4
    w = [n["weight"] for n in r["bins"][0]["points"][0]["neighbours"]]
    assert sum(w) == pytest.approx(1.0)


def test_mask_head_trains_only_the_true_class(api_client):
    r = post(api_client, "mask_head", {"m": 8, "true_class": 3})
    assert r["grad_nonzero_per_class"] == [False, False, True]
    assert r["outputs"] == 3 * 64 and r["penalised"] == 64


def test_network_trace_backprop_matches_update(api_client):
    r = post(api_client, "network_trace", {"x": [0.5, -1], "y": 1, "lr": 0.5})
    out = r["layers"][-1]
    # softmax + cross-entropy: delta = y_hat - t
    assert out["delta"] == pytest.approx([r["y_hat"][0], r["y_hat"][1] - 1], abs=1e-6)
    assert r["loss_after"] < r["loss"]
    for check in r["gradient_checks"]:
        assert check["finite_difference"] == pytest.approx(check["backprop"], rel=1e-6, abs=1e-9)


def test_sgd_compare_is_bounded(api_client):
    r = post(api_client, "sgd_compare", {"epochs": 2, "n": 32})
    assert [run["batch_size"] for run in r["runs"]] == [1, 16, 32]
    assert [run["updates"] for run in r["runs"]] == [64, 4, 2]
    noise = [run["gradient_noise"] for run in r["runs"]]
    assert noise[0] > noise[1] > noise[2] and noise[2] < 1e-12  # full batch: no noise
    post(api_client, "sgd_compare", {"epochs": 1000}, status=400)


def test_cnn_train_small_run(api_client):
    r = post(api_client, "cnn_train", {"dataset": "shapes", "epochs": 1})
    assert len(r["history"]) == 1
    assert sum(map(sum, r["confusion"])) == r["n_test"]
    assert len(r["examples"]) == 3
    assert len(r["examples"][0]["conv"]) == 6


@pytest.mark.parametrize(
    "name,body,field",
    [
        ("conv2d", {"image": [[1, 2], [3]], "kernel": [[1]]}, "image"),
        ("conv2d", {"image": [[0] * 40] * 40, "kernel": [[1]]}, "image"),
        ("conv2d", {"image": NOTES_IMAGE, "kernel": [[1, 2, 3]]}, "kernel"),
        ("conv2d", {"image": [[1, 2], [3, 4]], "kernel": NOTES_KERNEL}, "kernel"),
        ("pool", {"x": NOTES_POOL, "mode": "median"}, "mode"),
        ("pool", {"x": NOTES_POOL, "size": 5}, "size"),
        ("nll", {"probs": [0.5, -0.5], "true_class": 0}, "probs"),
        ("output_size", {"width": "wide", "kernel": 3}, "width"),
        ("conv2d", {"colour": 1}, "colour"),
    ],
)
def test_bad_input_says_what_and_where(api_client, name, body, field):
    r = post(api_client, name, body, status=400)
    assert field in str(r)


def test_kernel_presets_volume_and_1d(api_client):
    r = post(api_client, "conv_image", {"kernel": "identity"})
    assert r["output"] == r["image"]  # the identity kernel with "same" padding
    post(api_client, "conv_image", {"kernel": "emboss"}, status=400)
    r = post(api_client, "conv_volume", {})
    assert r["volume_shape"] == [4, 22, 22]
    r = post(api_client, "conv1d", {"signal": [0, 0, 1, 1, 1], "kernel": [1, 0, -1]})
    assert r["correlation"] == [-1, -1, 0]  # f[t] - f[t+2]
    assert r["convolution"] == [1, 1, 0]  # the flipped kernel: f[t+2] - f[t]
    assert r["symmetric_kernel"] is False


def test_lr_compare_runs_three_rates(api_client):
    r = post(api_client, "lr_compare", {"rates": [0.01, 0.5, 20], "epochs": 3})
    assert [run["lr"] for run in r["runs"]] == [0.01, 0.5, 20]
    assert all(len(run["epoch_loss"]) == 4 for run in r["runs"])
    post(api_client, "lr_compare", {"rates": []}, status=400)


@pytest.mark.parametrize(
    "slug,panels",
    [
        ("maximum-likelihood", ["nll", "gaussian"]),
        ("forward-propagation", ["network-forward"]),
        ("back-propagation", ["network-backward"]),
        ("sgd", ["sgd-compare", "lr-compare"]),
        ("why-cnns", ["param-count", "equivariance", "receptive-field"]),
        ("convolution", ["conv-window", "output-size", "conv-presets", "conv-1d", "conv-volume"]),
        ("activations", ["activation", "linear-collapse", "relu-pool"]),
        ("pooling", ["pool", "pool-depth"]),
        ("fully-connected", ["flatten", "cnn-train"]),
        ("mask-rcnn", ["roi", "mask-head", "segmentation"]),
    ],
)
def test_lesson_pages_render_prose_panels_errata_and_questions(client, slug, panels):
    r = client.get(f"/lessons/{slug}/")
    assert r.status_code == 200
    html = r.content.decode()
    for panel in panels:
        assert f'data-panel="{panel}"' in html
    assert 3 <= html.count("data-question=") <= 6
    assert 'class="math' in html
    if slug not in ("why-cnns", "fully-connected"):
        assert 'class="erratum"' in html  # the notes' slips, where they belong


def test_lesson_index_lists_every_section(client):
    html = client.get("/lessons/").content.decode()
    assert html.count("Try:") == 10


@pytest.mark.parametrize("source", ["scene", "shapes", "digit"])
def test_kernel_presets_on_real_images(api_client, source):
    r = post(api_client, "conv_image", {"kernel": "blur", "source": source, "index": 2})
    assert len(r["image"]) == 32 and len(r["output"]) == 32
    post(api_client, "conv_image", {"source": "photo"}, status=400)


def test_signed_in_student_posts_with_the_pages_csrf_cookie(student):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(student)
    assert c.get("/lessons/pooling/").status_code == 200
    token = c.cookies["csrftoken"].value
    body = '{"x": [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]}'
    r = c.post("/api/lessons/pool/", body, content_type="application/json")
    assert r.status_code == 403  # no token: refused
    r = c.post("/api/lessons/pool/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and r.json()["output"] == [[6, 8], [3, 4]]


def test_api_index_lists_every_endpoint(api_client):
    r = api_client.get("/api/lessons/")
    assert r.status_code == 200
    body = r.json()
    assert {"conv2d", "pool", "roi", "cnn_train", "sgd_compare"} <= set(body)
    assert list(body["conv2d"]["arguments"]) == ["image", "kernel", "stride", "padding"]
    assert body["conv2d"]["arguments"]["kernel"] == NOTES_KERNEL
    assert body["conv2d"]["method"] == "POST"


def test_empty_body_gives_the_documented_default_results(api_client):
    """Every argument is optional: {} answers the lesson's worked example."""
    assert post(api_client, "conv2d", {})["output"] == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert post(api_client, "pool", {})["output"] == [[6, 8], [3, 4]]
    nll = post(api_client, "nll", {})
    assert nll["probs"] == [0.7, 0.2, 0.1] and nll["true_class"] == 0
    assert round(nll["nll"], 3) == 0.357
    g = post(api_client, "gaussian_nll", {})
    assert g["N"] == 6 and g["sigma"] == 1.0
    assert math.isclose(g["nll"], g["nll_direct"], rel_tol=1e-12)
    assert post(api_client, "output_size", {})["output"] == 3


def test_every_endpoint_answers_an_empty_body(api_client):
    index = api_client.get("/api/lessons/").json()
    light = [n for n in index if n not in {"sgd_compare", "lr_compare", "cnn_train"}]
    for name in light:
        post(api_client, name, {})


@pytest.mark.parametrize(
    "name,body,field",
    [
        ("pool", {"stride": 0}, "stride"),
        ("nll", {"true_class": "first"}, "true_class"),
        ("nll", {"probs": [0.5, 0.5], "true_class": 2}, "true_class"),
        ("gaussian_nll", {"y": [1, 2], "y_hat": [1]}, "y_hat"),
        ("output_size", {"padding": "lots"}, "padding"),
        ("conv2d", {"kernel": [[1, 2, 3]]}, "kernel"),
    ],
)
def test_bad_input_is_a_400_keyed_by_the_field(api_client, name, body, field):
    r = api_client.post(f"/api/lessons/{name}/", body, format="json")
    assert r.status_code == 400, r.content
    assert field in r.content.decode()


def test_a_body_that_is_not_an_object_is_a_400(api_client):
    r = api_client.post("/api/lessons/conv2d/", [1, 2], format="json")
    assert r.status_code == 400


def test_mle_variance_bias_shrinks_like_n_minus_1_over_n(api_client):
    """Against numpy: the simulated mean MLE is (N-1)/N sigma^2 within sampling error, and the
    estimates' spread shrinks with N (consistency)."""
    import numpy as np

    r = post(api_client, "mle_variance", {"sigma": 2.0, "repeats": 4000, "seed": 3})
    assert [row["N"] for row in r["rows"]] == [2, 3, 5, 10, 20, 50, 100]
    for row in r["rows"]:
        N = row["N"]
        assert row["expected_mle"] == pytest.approx((N - 1) / N * 4.0)
        # standard error of the mean of 4000 scaled chi-square draws
        se = 4.0 * np.sqrt(2 * (N - 1)) / N / np.sqrt(4000)
        assert abs(row["mean_mle"] - row["expected_mle"]) < 4 * se
    sds = [row["sd_mle"] for row in r["rows"]]
    assert sds == sorted(sds, reverse=True)
    assert r["rows"][0]["bias"] < -1.5 and abs(r["rows"][-1]["bias"]) < 0.1
    # the same numbers as numpy's ddof=0 variance on the same draws
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 2.0, size=(4000, 2))
    assert r["rows"][0]["mean_mle"] == pytest.approx(float(x.var(axis=1).mean()))
    post(api_client, "mle_variance", {"sizes": [1]}, status=400)


def test_backprop_graph_matches_torch_autograd_and_the_engine(api_client):
    """Every gradient the graph steps through equals torch autograd's, and the layer formulas'
    numbers (the engine's Dense trace) equal the graph's."""
    torch = pytest.importorskip("torch")

    body = {"x": [0.3, -1.2], "w": [0.5, 0.9], "b": -0.2, "y": 0.25}
    r = post(api_client, "backprop_graph", body)
    x = torch.tensor(body["x"], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(body["w"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(body["b"], dtype=torch.float64, requires_grad=True)
    m = w * x
    m.retain_grad()
    u = m.sum() + b
    u.retain_grad()
    a = torch.sigmoid(u)
    a.retain_grad()
    E = 0.5 * (a - body["y"]) ** 2
    E.backward()
    want = {
        "E": 1.0, "a": a.grad.item(), "u": u.grad.item(), "b": b.grad.item(),
        "m1": m.grad[0].item(), "m2": m.grad[1].item(), "w1": w.grad[0].item(),
        "w2": w.grad[1].item(), "x1": x.grad[0].item(), "x2": x.grad[1].item(),
    }  # fmt: skip
    got = {s["node"]: s["grad"] for s in r["backward"]}
    assert set(got) == set(want)
    for node, g in want.items():
        assert got[node] == pytest.approx(g, abs=1e-12), node
    values = {n["id"]: n["value"] for n in r["nodes"]}
    assert values["E"] == pytest.approx(E.item())
    L = r["layer"]
    assert L["E"] == pytest.approx(E.item()) and L["delta"] == pytest.approx(got["u"])
    assert L["dE_dW"] == pytest.approx([got["w1"], got["w2"]])
    assert L["dE_db"] == pytest.approx(got["b"])
    post(api_client, "backprop_graph", {"x": [1, 2, 3]}, status=400)


def test_mask_rcnn_inspect_stages_agree_with_the_models_predict(api_client):
    """The inspect panel's stages end in exactly the shipped model's own detections, and its
    intermediate numbers are consistent with each other."""
    import base64

    import numpy as np

    from engine.detection.maskrcnn import MaskRCNN
    from engine.detection.shapes import generate
    from nnweb.training.detection import WEIGHTS

    r = post(api_client, "mask_rcnn_inspect", {"image": 1})
    H, W = r["size"]
    rgb = np.frombuffer(base64.b64decode(r["pixels"]), np.uint8).reshape(H, W, 3)
    images, _t = generate(8, 0)
    np.testing.assert_array_equal(rgb, images[1])
    det = MaskRCNN.load(WEIGHTS).predict(images[1].transpose(2, 0, 1)[None] / np.float32(255))
    assert len(r["detections"]) == len(det["boxes"]) > 0
    for d, box, score in zip(r["detections"], det["boxes"], det["scores"]):
        np.testing.assert_allclose(d["box"], box, atol=0.01)
        assert d["score"] == pytest.approx(float(score), abs=1e-6)
    C, fh, fw = r["feature_shape"]
    assert r["n_anchors"] == fh * fw * len(r["anchor_sizes"])
    assert r["n_before_nms"] >= r["n_after_nms"] and r["n_after_nms"] <= 50
    objs = [a["objectness"] for a in r["top_anchors"]]
    assert objs == sorted(objs, reverse=True) and 0 <= objs[-1] <= objs[0] <= 1
    assert sum(r["class_probs"]) == pytest.approx(1, abs=1e-3)
    assert np.array(r["roi_crop"]).shape == (7, 7) and np.array(r["mask28"]).shape == (28, 28)
    pasted = np.frombuffer(base64.b64decode(r["pasted_pixels"]), np.uint8).reshape(H, W)
    want = (det["masks"][:, 0].max(axis=0) * 255).astype(np.uint8)
    assert np.abs(pasted.astype(int) - want).max() <= 1
    post(api_client, "mask_rcnn_inspect", {"image": 8}, status=400)
