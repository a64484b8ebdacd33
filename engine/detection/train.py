"""Train the shapes Mask R-CNN from scratch: ``python -m engine.detection.train``.

Seeded and reproducible: every step draws a fresh batch of shape images from the data
seed, so the same seed and step count give the same weights. Adam with a short warm-up
and step decay, gradients clipped by global norm. At the end it writes, under --out
(default engine/detection/weights/): ``maskrcnn.npz`` (weights + config),
``train_log.txt`` (losses, learning rate, wall time), ``metrics.json`` (COCOeval on 200
held-out images, see evaluate.py) and ``maskrcnn.onnx`` (the whole inference graph).

The shipped weights come from ``OPENBLAS_NUM_THREADS=1 python -m engine.detection.train``
(the defaults); with one BLAS thread the run is bit-for-bit repeatable, with more threads
the float32 sums may round differently and the weights differ slightly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np

from engine.detection.maskrcnn import MaskRCNN
from engine.detection.shapes import generate_image
from engine.optim import Adam

WEIGHTS_DIR = Path(__file__).parent / "weights"
CALIBRATE_STEPS = 40
# the shipped model's run: 3572 steps of 2 images (planned by the CPU/wall budget on the
# shared development machine; about 7.5 min of CPU time single-threaded)
DEFAULT_STEPS = 3572
EMPTY_FRACTION = 0.05


def lr_at(step: int, steps: int, lr: float, warmup: int) -> float:
    if step < warmup:
        return lr * (0.1 + 0.9 * step / warmup)
    if step < int(0.75 * steps):
        return lr
    if step < int(0.92 * steps):
        return lr * 0.1
    return lr * 0.01


def make_batch(rng: np.random.Generator, batch: int):
    images, targets = [], []
    for _ in range(batch):
        # one image in 20 shows background only, so that "nothing here" is learnt too
        n_objects = 0 if rng.random() < EMPTY_FRACTION else None
        img, inst = generate_image(rng, n_objects=n_objects)
        images.append(img)
        targets.append(inst)
    x = np.stack(images).transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0)
    return x, targets


def train(
    steps: int = DEFAULT_STEPS,
    batch: int = 2,
    lr: float = 1e-3,
    seed: int = 0,
    out: Path = WEIGHTS_DIR,
    max_minutes: float = 30.0,
    max_wall_minutes: float = 0.0,
    log_every: int = 25,
    evaluate_after: bool = True,
    export_after: bool = True,
    init: str | None = None,
) -> MaskRCNN:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model = MaskRCNN.load(init) if init else MaskRCNN(seed=seed)
    data_rng = np.random.default_rng([seed, 1])
    sample_rng = np.random.default_rng([seed, 2])
    opt = Adam(model.params, lr)
    log_lines = [
        f"nnweb shapes Mask R-CNN training: steps={steps} batch={batch} lr={lr} seed={seed} "
        f"params={sum(v.size for v in model.params.values())} "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}",
        "step  lr        total   rpn_obj rpn_box cls     box     mask    grad_norm  wall_s",
    ]
    log_path = out / "train_log.txt"
    log_path.write_text("\n".join(log_lines) + "\n")
    t0 = time.time()
    cpu0 = time.process_time()
    run = {}
    clip = 10.0
    planned = steps
    step = -1
    while step + 1 < planned:
        step += 1
        if step == CALIBRATE_STEPS and (max_minutes > 0 or max_wall_minutes > 0):
            # Fit the schedule into the budget. The budget is process CPU time (all
            # threads): on an otherwise idle machine wall time is at most that, while on a
            # shared machine wall time is longer. The number of steps is fixed here and
            # logged, so `--steps N --max-minutes 0` repeats this run exactly.
            cpu_step = (time.process_time() - cpu0) / step
            wall_step = (time.time() - t0) / step
            fit = planned
            if max_minutes > 0:
                left = max_minutes * 60 - (time.process_time() - cpu0)
                fit = min(fit, step + int(0.97 * left / cpu_step))
            if max_wall_minutes > 0:
                left = max_wall_minutes * 60 - (time.time() - t0)
                # a shared machine's speed varies: keep a wide margin on wall time
                fit = min(fit, step + int(0.8 * left / wall_step))
            if fit < planned:
                planned = fit
                with log_path.open("a") as f:
                    f.write(
                        f"budget {max_minutes} min CPU / {max_wall_minutes} min wall at "
                        f"{cpu_step:.2f} CPU s/step, {wall_step:.2f} wall s/step: planned "
                        f"steps {planned} (repeat with --steps {planned} --max-minutes 0)\n"
                    )
        x, targets = make_batch(data_rng, batch)
        E, grads = model.loss_and_grads(x, targets, sample_rng)
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
        if not math.isfinite(norm):
            raise FloatingPointError(f"train: gradient norm is {norm} at step {step}")
        if norm > clip:
            for g in grads.values():
                g *= np.float32(clip / norm)
        cur = lr_at(step, planned, lr, warmup=100)
        opt.step(model.params, grads, cur)
        for k, v in E.items():
            run[k] = v if k not in run else 0.95 * run[k] + 0.05 * v
        run["norm"] = norm if "norm" not in run else 0.95 * run["norm"] + 0.05 * norm
        wall = time.time() - t0
        if (step + 1) % log_every == 0 or step == planned - 1:
            line = (
                f"{step + 1:5d} {cur:.2e} {run['total']:.4f}  {run['rpn_obj']:.4f}  "
                f"{run['rpn_box']:.4f}  {run['cls']:.4f}  {run['box']:.4f}  {run['mask']:.4f}  "
                f"{run['norm']:9.3f}  {wall:7.1f}"
            )
            with log_path.open("a") as f:
                f.write(line + "\n")
        cpu = time.process_time() - cpu0
        over_cpu = max_minutes > 0 and cpu > max_minutes * 60
        if over_cpu or (max_wall_minutes > 0 and wall > max_wall_minutes * 60):
            with log_path.open("a") as f:
                f.write(f"stopped at step {step + 1}: time budget reached\n")
            break
    wall = time.time() - t0
    cpu = time.process_time() - cpu0
    model.save(out / "maskrcnn.npz")
    with log_path.open("a") as f:
        f.write(
            f"training wall time: {wall:.1f} s ({wall / 60:.1f} min), {step + 1} steps, "
            f"{(step + 1) * batch} images; process CPU time {cpu:.1f} s "
            f"(all threads; {os.cpu_count()} CPUs, shared with other work while it ran)\n"
        )
    if export_after:
        from engine.detection.onnx_export import export_onnx

        export_onnx(model, out / "maskrcnn.onnx")
    if evaluate_after:
        from engine.detection.evaluate import evaluate

        t1 = time.time()
        metrics = evaluate(model)
        metrics["train_wall_s"] = round(wall, 1)
        metrics["train_cpu_s"] = round(cpu, 1)
        metrics["train_steps"] = step + 1
        metrics["train_batch"] = batch
        metrics["eval_wall_s"] = round(time.time() - t1, 1)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        with log_path.open("a") as f:
            f.write(metrics["summary"])
    return model


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Train the shapes Mask R-CNN (NumPy, CPU).")
    ap.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(WEIGHTS_DIR))
    ap.add_argument("--max-minutes", type=float, default=30.0, help="CPU-time budget")
    ap.add_argument("--max-wall-minutes", type=float, default=0.0, help="0: no wall limit")
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args(argv)
    train(
        args.steps,
        args.batch,
        args.lr,
        args.seed,
        Path(args.out),
        args.max_minutes,
        args.max_wall_minutes,
        evaluate_after=not args.no_eval,
        export_after=not args.no_export,
    )


if __name__ == "__main__":
    main()
