"""COCO evaluation of detections, and the training command end to end on two tiny steps."""

import json

import numpy as np
import onnx

from engine.detection.evaluate import coco_eval, detections_to_coco
from engine.detection.shapes import generate, to_coco
from engine.detection.train import train


def as_detections(instances, shift=0.0):
    boxes = np.array([o.box for o in instances], np.float32) + shift
    return {
        "boxes": boxes,
        "labels": np.array([o.label for o in instances], np.int64),
        "scores": np.linspace(0.99, 0.9, len(instances)).astype(np.float32),
        "masks": np.stack([o.mask for o in instances]).astype(np.float32)[:, None],
    }


def test_perfect_detections_score_one_and_wrong_labels_zero():
    _, targets = generate(8, seed=21)
    gt = to_coco(targets)
    results = []
    for i, inst in enumerate(targets):
        results += detections_to_coco(i + 1, as_detections(inst))
    m = coco_eval(gt, results)
    assert m["bbox"]["AP"] > 0.99 and m["segm"]["AP"] > 0.99
    wrong = [dict(r, category_id=r["category_id"] % 3 + 1) for r in results]
    m = coco_eval(gt, wrong)
    assert m["segm"]["AP"] == 0.0
    assert "Average Precision" in m["summary"]
    assert coco_eval(gt, [])["segm"]["AP50"] == 0.0


def test_train_command_writes_weights_log_and_onnx(tmp_path):
    model = train(steps=2, batch=1, out=tmp_path, evaluate_after=False, log_every=1)
    for name in ("maskrcnn.npz", "maskrcnn.onnx", "train_log.txt"):
        assert (tmp_path / name).is_file()
    log = (tmp_path / "train_log.txt").read_text()
    assert "training wall time" in log and "process CPU time" in log
    props = {p.key: p.value for p in onnx.load(tmp_path / "maskrcnn.onnx").metadata_props}
    assert json.loads(props["classes"])[0] == "background"
    assert set(model.params) == set(np.load(tmp_path / "maskrcnn.npz").files) - {"__config__"}
