"""Segmentation demo latency: the shipped Mask R-CNN on onnxruntime vs the engine's forward.

Run:  nice -n 10 .venv/bin/python benchmarks/segmentation_latency.py [--repeat 30] [--images 8]

For one 128 x 128 generated shapes image at a time (``--images`` different ones, each run
``--repeat`` times after a warm-up), prints:
  * onnxruntime CPU p50 / p90 latency of ``session.run`` (the figure the demo page shows),
    target p50 <= 30 ms;
  * the same on the CUDA provider when onnxruntime reports it (onnxruntime-gpu on a GPU
    machine), else a line saying it is not available;
  * the engine's own NumPy forward (``MaskRCNN.predict``) p50 on the same images, and the
    ratio engine / onnxruntime CPU, target >= 5x;
  * the service's own work around the model on the same images (letterbox to the input,
    run-length encoding of the masks) p50, for context;
  * how far the engine and onnxruntime agree (detections, largest box and mask difference).

Both sides are measured in this run, on this machine; nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine import runtime  # noqa: E402
from engine.detection.maskrcnn import MaskRCNN  # noqa: E402
from engine.detection.shapes import generate_image  # noqa: E402

WEIGHTS = ROOT / "engine/detection/weights"
CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def time_runs(fn, images: list[np.ndarray], repeat: int) -> list[float]:
    for x in images:  # warm-up: first run per shape allocates
        fn(x)
    out = []
    for _ in range(repeat):
        for x in images:
            t0 = time.perf_counter()
            fn(x)
            out.append((time.perf_counter() - t0) * 1000.0)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(WEIGHTS / "maskrcnn.onnx"))
    ap.add_argument("--weights", default=str(WEIGHTS / "maskrcnn.npz"))
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--engine-repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args(argv)

    model_path, weights_path = Path(args.model), Path(args.weights)
    for p in (model_path, weights_path):
        if not p.is_file():
            print(
                f"missing {p}: train and export the model first (python -m engine.detection.train)"
            )
            return 1

    rng = np.random.default_rng(args.seed)
    images = [
        np.ascontiguousarray(
            (generate_image(rng)[0].astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        )
        for _ in range(args.images)
    ]
    data = model_path.read_bytes()
    print(f"segmentation latency: one 128x128 image, {args.images} images x {args.repeat} runs")
    print(
        f"model {model_path.relative_to(ROOT) if model_path.is_relative_to(ROOT) else model_path}"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"cpu cores: {os.cpu_count()}, load average {load:.1f}, "
        f"onnxruntime providers: {runtime.available_providers()}"
    )

    # the shipped model is ours: no untrusted-file validation needed here
    cpu = runtime.session_from_bytes(data, [CPU], validate=False)
    cpu_ms = time_runs(lambda x: cpu.session.run(None, {"image": x}), images, args.repeat)
    cpu_p50 = pct(cpu_ms, 50)
    print(
        f"onnxruntime CPU  ({cpu.provider}): p50 {cpu_p50:.2f} ms  p90 {pct(cpu_ms, 90):.2f} ms"
        f"  ({len(cpu_ms)} runs)  target p50 <= 30 ms: {'OK' if cpu_p50 <= 30 else 'MISSED'}"
    )

    one = runtime.session_from_bytes(data, [CPU], validate=False, intra_op_threads=1)
    one_ms = time_runs(lambda x: one.session.run(None, {"image": x}), images, args.repeat)
    print(
        f"onnxruntime CPU, 1 intra-op thread: p50 {pct(one_ms, 50):.2f} ms  "
        f"p90 {pct(one_ms, 90):.2f} ms  (for comparison on a busy machine)"
    )

    if CUDA in runtime.available_providers():
        gpu = runtime.session_from_bytes(data, [CUDA, CPU], validate=False)
        if gpu.provider == CUDA:
            gpu_ms = time_runs(lambda x: gpu.session.run(None, {"image": x}), images, args.repeat)
            gpu_p50 = pct(gpu_ms, 50)
            print(
                f"onnxruntime CUDA ({gpu.provider}): p50 {gpu_p50:.2f} ms  p90 "
                f"{pct(gpu_ms, 90):.2f} ms  target p50 <= 30 ms: "
                f"{'OK' if gpu_p50 <= 30 else 'MISSED'}; CPU/CUDA {cpu_p50 / gpu_p50:.2f}x"
            )
        else:
            print(f"onnxruntime CUDA: the CUDA provider did not load (served by {gpu.provider})")
    else:
        print("onnxruntime CUDA: not available in this onnxruntime build / machine")

    engine = MaskRCNN.load(weights_path)
    eng_ms = time_runs(engine.predict, images, args.engine_repeat)
    eng_p50 = pct(eng_ms, 50)
    ratio = eng_p50 / cpu_p50
    print(f"engine forward (NumPy, MaskRCNN.predict): p50 {eng_p50:.2f} ms  ({len(eng_ms)} runs)")
    print(
        f"ratio engine / onnxruntime CPU: {ratio:.1f}x  target >= 5x: "
        f"{'OK' if ratio >= 5 else 'MISSED'}"
    )

    outs = [cpu.session.run(None, {"image": x}) for x in images]
    # service work around the model (no Django set-up needed for these two helpers)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nnweb.settings")
    try:
        from PIL import Image

        from nnweb.segmentation.services import encode_mask, to_model_input
    except ImportError as exc:  # e.g. a GPU machine without Django
        print(f"service pre/post-processing: skipped ({exc})")
    else:
        pil = [
            Image.fromarray((x[0].transpose(1, 2, 0) * 255).round().astype(np.uint8))
            for x in images
        ]

        def service_work(i: int) -> None:
            to_model_input(pil[i])
            for m in outs[i][3]:
                encode_mask(m[0] >= 0.5)

        svc_ms = time_runs(service_work, list(range(len(images))), args.repeat)
        print(f"service pre/post-processing (letterbox + mask RLE): p50 {pct(svc_ms, 50):.2f} ms")

    # agreement
    worst_box = worst_mask = 0.0
    same = 0
    for x, (b, lab, _s, m) in zip(images, outs):
        e = engine.predict(x)
        if e["labels"].shape == lab.shape and np.array_equal(e["labels"], lab):
            same += 1
            if lab.size:
                worst_box = max(worst_box, float(np.abs(e["boxes"] - b).max()))
                worst_mask = max(worst_mask, float(np.abs(e["masks"] - m).max()))
    print(
        f"engine vs onnxruntime: same detections on {same}/{len(images)} images, "
        f"largest box difference {worst_box:.2e} px, largest mask difference {worst_mask:.2e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
