"""CPU time of a fixed slice of the shipped Mask R-CNN training run.

Run:  OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/maskrcnn_train_slice.py
      [--steps 200] [--profile 30]

The first --steps steps of the shipped run (``python -m engine.detection.train --steps 3572
--max-minutes 0``: seed 0, batch 2, Adam, the same data and learning-rate schedule), timed in
process CPU time (judge speed by CPU time on a shared machine; wall time is printed beside it).
The loss after the slice is printed too: with one BLAS thread the run is deterministic, so a
change that only reorders float32 sums moves it in the last digits, a wrong gradient more.
--profile N also prints the cProfile top N functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine.detection.maskrcnn import MaskRCNN  # noqa: E402
from engine.detection.train import DEFAULT_STEPS, lr_at, make_batch  # noqa: E402
from engine.optim import Adam  # noqa: E402


def run(steps: int, planned: int = DEFAULT_STEPS, seed: int = 0, batch: int = 2, lr=1e-3):
    """The training loop of engine.detection.train (without logging), for ``steps`` steps."""
    model = MaskRCNN(seed=seed)
    data_rng = np.random.default_rng([seed, 1])
    sample_rng = np.random.default_rng([seed, 2])
    opt = Adam(model.params, lr)
    clip = 10.0
    E = {}
    for step in range(steps):
        x, targets = make_batch(data_rng, batch)
        E, grads = model.loss_and_grads(x, targets, sample_rng)
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
        if norm > clip:
            for g in grads.values():
                g *= np.float32(clip / norm)
        opt.step(model.params, grads, lr_at(step, planned, lr, warmup=100))
    return E


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--profile", type=int, default=0, help="print the top N of cProfile")
    args = ap.parse_args()
    prof = cProfile.Profile() if args.profile else None
    t0, c0 = time.perf_counter(), time.process_time()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    if prof:
        prof.enable()
    E = run(args.steps)
    if prof:
        prof.disable()
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"{args.steps} steps of the shipped Mask R-CNN run: CPU {cpu:.1f} s "
        f"({cpu / args.steps * 1e3:.1f} ms/step; system {r1.ru_stime - r0.ru_stime:.1f} s, "
        f"{(r1.ru_minflt - r0.ru_minflt) / args.steps:.0f} page faults/step), wall {wall:.1f} s; "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
        f"last losses " + " ".join(f"{k}={v:.5f}" for k, v in E.items())
    )
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
