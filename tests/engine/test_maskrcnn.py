"""The NumPy Mask R-CNN: training forward/backward, a few smoke steps, save/load, predict.

No test trains the full model; the shipped weights are checked in test_detection_onnx.py.
"""

import numpy as np
import pytest

from engine.detection.maskrcnn import MaskRCNN, paste_masks
from engine.detection.shapes import generate
from engine.detection.train import Adam


@pytest.fixture(scope="module")
def batch():
    images, targets = generate(1, seed=7)
    x = images.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0)
    return x, targets


def test_training_gradients_match_finite_differences(batch):
    x, targets = batch
    # Proposals are constants for the heads (their coordinates carry no gradient, as in
    # Faster R-CNN's approximate joint training); with post_nms_train = 0 the RoIs are the
    # ground-truth boxes, so the whole loss is a smooth function of the parameters.
    config = MaskRCNN().config
    config["post_nms_train"] = 0
    model = MaskRCNN(config, seed=1).astype(np.float64)

    def loss():
        return model.loss_and_grads(x, targets, np.random.default_rng(5))[0]["total"]

    E, grads = model.loss_and_grads(x, targets, np.random.default_rng(5))
    assert set(grads) == set(model.params)
    for k in E:
        assert np.isfinite(E[k])
    # one parameter tensor from every part: backbone (before and after C3), RPN, both heads
    for name in ("conv1.W", "rpn_reg.W", "box_fc1.W", "mask_conv1.W"):
        p = model.params[name]
        g = grads[name]
        # probe the entry with the largest gradient (a random one is often exactly 0)
        i = np.unravel_index(np.argmax(np.abs(g)), p.shape)
        old = p[i]
        p[i] = old + 1e-6
        ep = loss()
        p[i] = old - 1e-6
        em = loss()
        p[i] = old
        num = (ep - em) / 2e-6
        assert g[i] == pytest.approx(num, rel=2e-4, abs=1e-8), name


def test_a_few_adam_steps_reduce_the_loss(batch):
    x, targets = batch
    model = MaskRCNN(seed=0)
    opt = Adam(model.params, lr=1e-3)
    first = None
    for step in range(4):
        E, grads = model.loss_and_grads(x, targets, np.random.default_rng(step))
        first = E["total"] if first is None else first
        opt.step(model.params, grads)
    E, _ = model.loss_and_grads(x, targets, np.random.default_rng(0))
    assert E["total"] < first
    for g in grads.values():
        assert g.dtype == np.float32


def test_save_load_round_trip_and_predict_shapes(tmp_path, batch):
    x, _ = batch
    model = MaskRCNN(seed=3)
    model.save(tmp_path / "m.npz")
    again = MaskRCNN.load(tmp_path / "m.npz")
    a = model.predict(x[:1])
    b = again.predict(x[:1])
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    K = a["boxes"].shape[0]
    assert a["labels"].dtype == np.int64 and a["scores"].dtype == np.float32
    assert a["masks"].shape == (K, 1, 128, 128)
    assert np.all(np.diff(a["scores"]) <= 0)
    assert np.all((a["masks"] >= 0) & (a["masks"] <= 1))
    with pytest.raises(ValueError, match="one image at a time"):
        model.predict(np.concatenate([x, x]))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        model.predict(x[0, 0])


def test_load_rejects_wrong_shapes(tmp_path):
    model = MaskRCNN(seed=0)
    model.params["box_fc2.W"] = model.params["box_fc2.W"][:, :10]
    model.save(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="box_fc2.W"):
        MaskRCNN.load(tmp_path / "bad.npz")


def test_paste_masks_fills_the_box():
    m = np.ones((1, 28, 28), np.float32)
    out = paste_masks(m, np.array([[10, 20, 50, 40]], np.float32), 64, 64)[0, 0]
    assert out.shape == (64, 64)
    assert np.all(out[22:38, 12:48] == 1)
    assert np.all(out[:19] == 0) and np.all(out[:, :9] == 0) and np.all(out[41:] == 0)
