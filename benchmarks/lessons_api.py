"""Lessons API: how long each lesson service takes at its default (the notes' examples) and at
its limits, against a reference measured in the same run.

Run:  nice -n 10 .venv/bin/python benchmarks/lessons_api.py [--repeat 5]

The reference is one 64x64 float64 matrix product (numpy), timed the same way; each service
is printed as best-of-N milliseconds and as a multiple of that reference, so the numbers can be
compared between machines. Goals: every panel request well under a second on the
reference machine; the CNN run of lesson 9 a few seconds at most (its first call also imports
scikit-learn's digits, which is excluded here by a warm-up call).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nnweb.settings")

import numpy as np  # noqa: E402

from nnweb.lessons.panels import (  # noqa: E402
    activations,
    convolution,
    fully_connected,
    mask_rcnn,
    pooling,
    propagation,
    sgd,
)

CASES = {
    "conv2d (notes' 5x5)": lambda: convolution.conv2d(),
    "conv2d (16x16, 7x7, limit)": lambda: convolution.conv2d(
        np.ones((16, 16)).tolist(), np.ones((7, 7))
    ),
    "conv_image (32x32)": lambda: convolution.conv_image("edges"),
    "conv_volume": lambda: convolution.conv_volume(),
    "pool (notes' 4x4)": lambda: pooling.pool(),
    "activation (401 points)": lambda: activations.activation_samples("softplus", n=401),
    "network_trace": lambda: propagation.network_trace(),
    "roi 18x18 pool": lambda: mask_rcnn.roi_explain(18),
    "roi 18x18 align": lambda: mask_rcnn.roi_explain(18, method="roi_align"),
    "mask_head": lambda: mask_rcnn.mask_head_demo(),
    "sgd_compare (default)": lambda: sgd.sgd_compare(),
    "lr_compare (default)": lambda: sgd.lr_compare(),
    "cnn_train digits, 4 epochs": lambda: fully_connected.cnn_train("digits", epochs=4),
}


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    a = np.random.default_rng(0).random((64, 64))
    ref = best_of(lambda: a @ a, max(args.repeat, 50))
    fully_connected.cnn_train("digits", epochs=1)  # warm-up: imports and caches the digits
    print(f"reference: 64x64 matmul {ref * 1e6:.1f} us")
    print(f"{'service':32s} {'best ms':>9s} {'x reference':>12s}")
    for name, fn in CASES.items():
        t = best_of(fn, args.repeat)
        print(f"{name:32s} {t * 1e3:9.2f} {t / ref:12.0f}")


if __name__ == "__main__":
    main()
