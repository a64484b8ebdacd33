"""COCO evaluation (pycocotools COCOeval, "bbox" and "segm") on freshly generated images.

    python -m engine.detection.evaluate [--weights engine/detection/weights/maskrcnn.npz]

The held-out images come from ``shapes.generate(200, seed=EVAL_SEED)``; training never
uses that seed. Detections are scored as COCO results: boxes [x, y, w, h], masks as the
RLE of the pasted probability map thresholded at 0.5.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

import numpy as np

from engine.detection.maskrcnn import MaskRCNN
from engine.detection.shapes import encode_rle, generate, to_coco

EVAL_SEED = 20261126
EVAL_IMAGES = 200
STAT_NAMES = ["AP", "AP50", "AP75", "AP_small", "AP_medium", "AP_large"]
STAT_NAMES += ["AR1", "AR10", "AR100", "AR_small", "AR_medium", "AR_large"]
DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "maskrcnn.npz"


def detections_to_coco(image_id: int, det: dict, mask_threshold: float = 0.5) -> list[dict]:
    out = []
    for k in range(det["boxes"].shape[0]):
        x1, y1, x2, y2 = (float(v) for v in det["boxes"][k])
        out.append(
            {
                "image_id": image_id,
                "category_id": int(det["labels"][k]),
                "bbox": [x1, y1, x2 - x1, y2 - y1],
                "score": float(det["scores"][k]),
                "segmentation": encode_rle(det["masks"][k, 0] > mask_threshold),
            }
        )
    return out


def coco_eval(gt: dict, results: list[dict]) -> dict:
    """COCOeval bbox and segm; returns {"bbox": {...}, "segm": {...}, "summary": text}."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    text = io.StringIO()
    metrics: dict = {}
    with contextlib.redirect_stdout(text):
        coco_gt = COCO()
        coco_gt.dataset = json.loads(json.dumps(gt))
        coco_gt.createIndex()
        for iou_type in ("bbox", "segm"):
            print(f"== {iou_type} ==")
            if not results:
                metrics[iou_type] = {n: 0.0 for n in STAT_NAMES}
                print("no detections")
                continue
            coco_dt = coco_gt.loadRes(json.loads(json.dumps(results)))
            ev = COCOeval(coco_gt, coco_dt, iou_type)
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
            metrics[iou_type] = {n: float(v) for n, v in zip(STAT_NAMES, ev.stats)}
    metrics["summary"] = text.getvalue()
    return metrics


def evaluate(model: MaskRCNN, n: int = EVAL_IMAGES, seed: int = EVAL_SEED) -> dict:
    """Metrics of ``model`` on ``n`` fresh shape images from ``seed``."""
    images, targets = generate(n, seed)
    gt = to_coco(targets)
    results = []
    for i in range(n):
        x = images[i].transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0)
        results += detections_to_coco(i + 1, model.predict(x))
    metrics = coco_eval(gt, results)
    metrics["n_images"] = n
    metrics["seed"] = seed
    metrics["n_detections"] = len(results)
    return metrics


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    ap.add_argument("--images", type=int, default=EVAL_IMAGES)
    ap.add_argument("--seed", type=int, default=EVAL_SEED)
    ap.add_argument("--out", default=None, help="write metrics JSON here")
    args = ap.parse_args(argv)
    metrics = evaluate(MaskRCNN.load(args.weights), args.images, args.seed)
    print(metrics["summary"])
    for t in ("bbox", "segm"):
        print(
            f"{t}: AP {metrics[t]['AP']:.4f}  AP50 {metrics[t]['AP50']:.4f}  "
            f"AP75 {metrics[t]['AP75']:.4f}"
        )
    if args.out:
        Path(args.out).write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
