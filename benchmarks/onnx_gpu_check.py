"""GPU check: an exported engine CNN on onnxruntime's CUDA provider vs its CPU provider.

Run:  python benchmarks/onnx_gpu_check.py [--batch 64] [--repeat 50]

Exports a small engine CNN (3x32x32 -> conv 16 -> pool -> conv 32 -> pool -> dense 10 softmax)
to ONNX with engine.onnx.export, then runs the same batch through engine.runtime sessions:
  * CPU  (providers ["CPUExecutionProvider"])
  * CUDA (providers ["CUDAExecutionProvider", "CPUExecutionProvider"]) when onnxruntime reports it
and prints, per provider, the provider that actually served (session.get_providers()[0]) and
the p50 latency of one batch; then the CPU/CUDA latency ratio and the largest absolute
difference between the CUDA and CPU outputs (and between onnxruntime CPU and the NumPy engine).

Without CUDA (onnxruntime CPU build, no GPU, or CUDA libraries that fail to load) it says so
and exits with status 0. To get the CUDA provider, install onnxruntime-gpu instead of
onnxruntime (see the README).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine import (  # noqa: E402
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Sequential,
    runtime,  # noqa: E402
)
from engine.onnx import export  # noqa: E402


def build_net() -> Sequential:
    return Sequential(
        [
            Conv2D(3, 16, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Conv2D(16, 32, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(32 * 8 * 8, 10, activation="softmax"),
        ],
        "cross_entropy",
        seed=0,
        dtype=np.float32,
    )


def p50_latency(session: runtime.ModelSession, x: np.ndarray, repeat: int):
    out = session.run(x)  # one more warm-up (the session ran zeros when it was built)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = session.run(x)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args(argv)

    import onnxruntime as ort

    if hasattr(ort, "preload_dlls"):  # onnxruntime-gpu >= 1.21: CUDA/cuDNN from pip packages
        try:
            ort.preload_dlls()
        except Exception as exc:  # noqa: BLE001 - report and go on with what loads
            print(f"note: onnxruntime.preload_dlls() failed: {exc}")
    available = ort.get_available_providers()
    print(f"onnxruntime {ort.__version__}; available providers: {available}")

    net = build_net()
    x = np.random.default_rng(0).normal(size=(args.batch, 3, 32, 32)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cnn.onnx"
        export(net, path, input_shape=(3, 32, 32))
        data = path.read_bytes()

    cpu = runtime.session_from_bytes(data, [runtime.CPU])
    cpu_ms, cpu_out = p50_latency(cpu, x, args.repeat)
    engine_diff = float(np.abs(cpu_out.output - net.forward(x)).max())
    print(f"provider {cpu_out.provider}: p50 {cpu_ms:.3f} ms per batch of {args.batch}")
    print(f"max |onnxruntime CPU - NumPy engine| = {engine_diff:.3e}")

    if runtime.CUDA not in available:
        print(
            "CUDAExecutionProvider is not available in this onnxruntime build: no GPU check. "
            "Install onnxruntime-gpu (same version) instead of onnxruntime on a CUDA machine."
        )
        return 0
    try:
        gpu = runtime.session_from_bytes(data, [runtime.CUDA, runtime.CPU])
    except Exception as exc:  # noqa: BLE001
        print(f"CUDA session could not be created: {exc}")
        return 0
    if gpu.provider != runtime.CUDA:
        print(
            f"onnxruntime lists CUDA but the session runs on {gpu.provider} (CUDA/cuDNN "
            "libraries missing?): no GPU check."
        )
        return 0
    gpu_ms, gpu_out = p50_latency(gpu, x, args.repeat)
    diff = float(np.abs(gpu_out.output - cpu_out.output).max())
    print(f"provider {gpu_out.provider}: p50 {gpu_ms:.3f} ms per batch of {args.batch}")
    print(f"CPU p50 / CUDA p50 = {cpu_ms / gpu_ms:.2f}")
    print(f"max |CUDA - CPU| = {diff:.3e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
