"""Mask R-CNN training on an uploaded COCO dataset, with the detection engine.

The network is the engine's small Mask R-CNN (engine.detection.MaskRCNN) with one
class per COCO category plus the background. Unless the run's network spec says
``"init": "scratch"``, it starts from the shipped shapes model
(engine/detection/weights/maskrcnn.npz): every parameter whose shape fits is
copied (backbone, RPN, box and mask trunks), the class-specific output layers
start fresh when the number of classes differs — fine-tuning, which learns far
more in a few CPU minutes than training from scratch.

Training is Adam with gradient-norm clipping, one pass over the training images
per epoch in batches of ``batch_size``; progress, heartbeat and cancel go through
the same Trainer as the MLP/CNN runs. At the end the validation images are run
through ``predict`` and scored with COCOeval (mask AP@[.5:.95] and AP@.5).

The detection engine (engine.detection, the whole Mask R-CNN package with pycocotools) is
imported inside the functions that need it, on purpose: it loads in the worker only when a
Mask R-CNN run starts, and ``check_maskrcnn_available`` refuses such a run cleanly on a
server where it cannot load, instead of the training app failing to import.
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path

import numpy as np

from engine.optim import TrainingDiverged

from .data import split
from .errors import RunRejected
from .models import TrainingRun

WEIGHTS = Path(__file__).resolve().parents[2] / "engine" / "detection" / "weights" / "maskrcnn.npz"
DEFAULT_OPTIMIZER = {"lr": 0.001, "batch_size": 2, "epochs": 5, "momentum": 0.0}
CLIP = 10.0
EVAL_IMAGES = 100


def beat(trainer) -> None:
    """Keep the heartbeat fresh during long evaluations (at most every 0.5 s)."""
    if time.monotonic() - trainer.last_write >= 0.5:
        trainer.write()


def check_maskrcnn_available() -> None:
    """Raise RunRejected when the detection engine cannot be imported."""
    try:
        from engine.detection.maskrcnn import MaskRCNN  # noqa: F401
    except ImportError as err:
        raise RunRejected(f"Mask R-CNN training is not available on this server ({err})") from None


def make_config(class_names: list[str]) -> dict:
    from engine.detection.maskrcnn import DEFAULT_CONFIG

    config = copy.deepcopy(DEFAULT_CONFIG)
    config["classes"] = ["background", *class_names]
    return config


def build_model(class_names: list[str], init: str = "shapes", seed: int = 0):
    """A Mask R-CNN for these classes; ``init="shapes"`` copies the shipped weights that fit."""
    from engine.detection.maskrcnn import MaskRCNN

    model = MaskRCNN(make_config(class_names), seed=seed)
    if init == "shapes" and WEIGHTS.is_file():
        with np.load(WEIGHTS, allow_pickle=False) as z:
            for k, v in model.params.items():
                if k in z.files and z[k].shape == v.shape:
                    model.params[k] = z[k].astype(np.float32)
    return model


def count_params(class_names: list[str]) -> int:
    from engine.detection.maskrcnn import MaskRCNN

    return int(sum(v.size for v in MaskRCNN(make_config(class_names), seed=0).params.values()))


def _targets(meta: dict, n: int) -> list[list]:
    from engine.detection.shapes import Instance

    inst = meta["instances"]
    out: list[list] = [[] for _ in range(n)]
    for k in range(len(inst["labels"])):
        out[int(inst["image_index"][k])].append(
            Instance(
                label=int(inst["labels"][k]) + 1,
                mask=np.asarray(inst["masks"][k], dtype=bool),
                box=np.asarray(inst["boxes"][k], dtype=np.float32),
            )
        )
    return out


def _gt_coco(targets: list[list], idx: np.ndarray, class_names: list[str], size) -> dict:
    from engine.detection.shapes import encode_rle

    images, anns = [], []
    for j, i in enumerate(idx):
        images.append({"id": j + 1, "width": size[1], "height": size[0], "file_name": str(i)})
        for t in targets[i]:
            x1, y1, x2, y2 = (float(v) for v in t.box)
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": j + 1,
                    "category_id": int(t.label),
                    "segmentation": encode_rle(t.mask),
                    "area": float(t.mask.sum()),
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "iscrowd": 0,
                }
            )
    cats = [{"id": k + 1, "name": n} for k, n in enumerate(class_names)]
    return {"images": images, "annotations": anns, "categories": cats}


def train_maskrcnn(trainer, run: TrainingRun, X: np.ndarray, meta: dict) -> dict:
    from engine.detection.evaluate import coco_eval, detections_to_coco
    from engine.detection.onnx_export import export_onnx
    from engine.detection.train import Adam

    opt = run.optimizer
    class_names = list(meta["class_names"])
    targets = _targets(meta, len(X))
    tr, va = split(len(X), opt["val_fraction"], opt["seed"], None, False)
    model = build_model(class_names, run.network.get("init", "shapes"), seed=opt["seed"])
    adam = Adam(model.params, opt["lr"])
    rng = np.random.default_rng([opt["seed"], 7])
    bs = opt["batch_size"]
    steps_per_epoch = max(1, -(-len(tr) // bs))
    trainer.write(total_steps=steps_per_epoch * opt["epochs"])
    time_limited = False
    for epoch in range(opt["epochs"]):
        order = rng.permutation(tr)
        total, nb = 0.0, 0
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            E, grads = model.loss_and_grads(
                X[idx].astype(np.float32), [targets[i] for i in idx], rng
            )
            norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
            if not (math.isfinite(norm) and math.isfinite(E["total"])):
                raise TrainingDiverged(
                    f"Mask R-CNN loss or gradient became {E['total']}/{norm} at step "
                    f"{trainer.step + 1}; try a smaller learning rate (lr={opt['lr']})"
                )
            if norm > CLIP:
                for g in grads.values():
                    g *= np.float32(CLIP / norm)
            adam.step(model.params, grads, opt["lr"])
            trainer.step += 1
            total += float(E["total"])
            nb += 1
            if time.monotonic() - trainer.last_write >= 0.5:
                if trainer.over_time():
                    time_limited = True
                    break
                trainer.write(step=trainer.step, epoch=epoch, train_loss=total / nb)
        if time_limited and nb == 0:
            break
        val = []
        for i in va[:16]:
            Ev, _ = model.loss_and_grads(X[i : i + 1].astype(np.float32), [targets[i]], rng)
            val.append(float(Ev["total"]))
            beat(trainer)
        point = {
            "epoch": epoch + 1,
            "step": trainer.step,
            "train_loss": total / max(nb, 1),
            "val_loss": float(np.mean(val)) if val else None,
            "t": round(time.monotonic() - trainer.t0, 3),
        }
        trainer.history.append(point)
        if not time_limited:
            time_limited = trainer.over_time()
        trainer.write(
            step=trainer.step,
            epoch=epoch + 1,
            train_loss=point["train_loss"],
            val_loss=point["val_loss"],
            history=trainer.history,
        )
        if time_limited or time.monotonic() - trainer.t0 > trainer.max_seconds:
            time_limited = True
            break

    # COCO AP on (at most EVAL_IMAGES of) the validation images
    va = va[:EVAL_IMAGES]
    results = []
    for j, i in enumerate(va):
        results += detections_to_coco(j + 1, model.predict(X[i : i + 1].astype(np.float32)))
        beat(trainer)
    ev = coco_eval(_gt_coco(targets, va, class_names, X.shape[2:]), results)
    metrics = {
        "epochs_done": len(trainer.history),
        "steps": trainer.step,
        "n_val": int(len(va)),
        "mask_AP": ev["segm"].get("AP", 0.0),
        "mask_AP50": ev["segm"].get("AP50", 0.0),
        "box_AP": ev["bbox"].get("AP", 0.0),
        "detections": len(results),
    }
    if trainer.history:
        metrics["train_loss"] = trainer.history[-1]["train_loss"]
        metrics["val_loss"] = trainer.history[-1]["val_loss"]
    out_dir = trainer.output_dir()
    model.save(out_dir / "checkpoint.npz")
    export_onnx(model, out_dir / "model.onnx")
    return trainer.succeed(
        run, model, metrics, list(X.shape[1:]), time_limited, ap=metrics["mask_AP"]
    )
