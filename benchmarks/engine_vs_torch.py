"""Engine vs PyTorch CPU: float32 training throughput, one epoch of SGD.fit vs the same torch loop.

Run:  nice -n 10 .venv/bin/python benchmarks/engine_vs_torch.py [--repeat 7]
      [--threads 1 2] [--clock wall|cpu] [--only mlp_small mlp_784 lenet deep] [--keep-blas-env]

Prints, for each thread setting and network, the best-of-N epoch time of each side and the
median over N interleaved rounds of the ratio torch_time / engine_time (> 1 means the engine is
faster). Same data, same batches (same permutation), same machine, same run. Both sides run with
the same number of threads (threadpoolctl for NumPy's BLAS, torch.set_num_threads), by default
1 and then 2, timed in wall time (users wait for wall time; the rounds interleave so that load
from other jobs hits both sides alike). Targets:
  2-8-8-2 tanh MLP, batch 10                      >= 8x
  784-256-128-10 ReLU MLP, batch 64               >= 1.2x
  LeNet-like CNN on 1x28x28, batch 64             >= 1.0x
  conv 16 / conv 32 "same" CNN on 3x32x32, b. 64  >= 0.8x
  trace() keeping everything: (trace + SGD.step) / plain training step <= 1.3

Importing engine tunes glibc malloc to keep freed memory for reuse (engine/memory.py; it applies
to the whole process, torch included); NNWEB_ENGINE_DEFAULT_MALLOC=1 measures without it.

BLAS note: on some processors this workplace sets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE because old
OpenBLAS builds misbehave there; they slow current NumPy. This script re-executes itself once with
both unset (for its own process only; tests and CI keep them) and prints the OpenBLAS kernel it then
runs (threadpoolctl). Pass --keep-blas-env to measure with them as they are.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

if __name__ == "__main__" and "--keep-blas-env" not in sys.argv:
    if any(v in os.environ for v in BLAS_VARS) and not os.environ.get("NNWEB_BENCH_REEXEC"):
        env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
        env["NNWEB_BENCH_REEXEC"] = "1"
        os.execve(sys.executable, [sys.executable, *sys.argv], env)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import engine  # noqa: E402
from engine import SGD, Conv2D, Dense, Flatten, MaxPool2D, Sequential  # noqa: E402


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info

        return "; ".join(
            f"{i.get('internal_api')} {i.get('architecture', '')} threads={i.get('num_threads')}"
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        )
    except Exception as exc:  # pragma: no cover - informational only
        return f"unknown ({exc})"


CLOCK = time.perf_counter


def load_average() -> str:
    """The machine's load, printed beside the figures (a shared machine distorts wall time)."""
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = CLOCK()
        fn()
        times.append(CLOCK() - t)
    return min(times)


# --- networks, built identically on both sides ----------------------------------------------
def engine_net(kind: str) -> Sequential:
    if kind == "mlp_small":
        layers = [Dense(2, 8, "tanh"), Dense(8, 8, "tanh"), Dense(8, 2, "softmax")]
    elif kind == "mlp_784":
        layers = [Dense(784, 256, "relu"), Dense(256, 128, "relu"), Dense(128, 10, "softmax")]
    elif kind == "deep":
        layers = [
            Conv2D(3, 16, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Conv2D(16, 32, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(32 * 8 * 8, 10, "softmax"),
        ]
    else:
        layers = [
            Conv2D(1, 8, 3, activation="relu"),
            MaxPool2D(2),
            Conv2D(8, 16, 3, activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(16 * 5 * 5, 10, "softmax"),
        ]
    return Sequential(layers, "cross_entropy", seed=0, dtype=np.float32)


def torch_net(kind: str, net: Sequential) -> torch.nn.Module:
    nn = torch.nn
    acts = {"tanh": nn.Tanh, "relu": nn.ReLU}
    mods = []
    for layer in net.layers:
        if isinstance(layer, Dense):
            lin = nn.Linear(layer.n_in, layer.n_out)
            mods.append(lin)
        elif isinstance(layer, Conv2D):
            pad = 0 if layer.padding == "valid" else layer.kernel_size // 2  # odd kernels only
            lin = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, padding=pad)
            mods.append(lin)
        elif isinstance(layer, MaxPool2D):
            mods.append(nn.MaxPool2d(layer.size))
            continue
        elif isinstance(layer, Flatten):
            mods.append(nn.Flatten())
            continue
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W))
            lin.bias.copy_(torch.from_numpy(layer.b))
        if layer.activation in acts:
            mods.append(acts[layer.activation]())
    return nn.Sequential(*mods)  # softmax is inside F.cross_entropy


def data(kind: str, rng):
    if kind == "mlp_small":
        X = rng.normal(size=(2000, 2)).astype(np.float32)
        Y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
        return X, Y, 10
    if kind == "mlp_784":
        X = rng.random((64 * 60, 784), dtype=np.float32)
        return X, rng.integers(0, 10, len(X)), 64
    if kind == "deep":
        X = rng.random((64 * 10, 3, 32, 32), dtype=np.float32)
        return X, rng.integers(0, 10, len(X)), 64
    X = rng.random((64 * 20, 1, 28, 28), dtype=np.float32)
    return X, rng.integers(0, 10, len(X)), 64


def run_case(kind: str, repeat: int) -> dict:
    rng = np.random.default_rng(0)
    X, Y, bs = data(kind, rng)
    lr = 0.05
    net = engine_net(kind)
    tnet = torch_net(kind, net)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    opt = SGD(lr, bs)
    topt = torch.optim.SGD(tnet.parameters(), lr=lr)
    F = torch.nn.functional
    perm = np.random.default_rng(1).permutation(len(X))
    perm_t = torch.from_numpy(perm)

    def engine_epoch():
        opt.fit(net, X, Y, epochs=1, shuffle=True, seed=1)

    def torch_epoch():
        for s in range(0, len(X), bs):
            idx = perm_t[s : s + bs]
            topt.zero_grad()
            loss = F.cross_entropy(tnet(Xt[idx]), Yt[idx])
            loss.backward()
            topt.step()

    engine_epoch()  # warm up both
    torch_epoch()

    # trace() keeping every quantity vs the plain training step fit() uses
    _, _, T = net.prepare(X, Y)

    def plain_steps():
        for s in range(0, len(X), bs):
            idx = perm[s : s + bs]
            res = net.propagate(X[idx], T[idx])
            opt.apply(net, res.dWs, res.dbs)

    def trace_steps():
        for s in range(0, len(X), bs):
            idx = perm[s : s + bs]
            opt.step(net, net.trace(X[idx], Y[idx]))

    # rounds interleave all four so each round's ratios see the same machine load; the medians
    # of the per-round ratios are reported (robust to load changing between rounds)
    te, tt, tp, tr = [], [], [], []
    for _ in range(repeat):
        te.append(best(engine_epoch, 1))
        tt.append(best(torch_epoch, 1))
        tp.append(best(plain_steps, 1))
        tr.append(best(trace_steps, 1))
    te, tt, tp, tr = map(np.array, (te, tt, tp, tr))
    return {
        "engine": te.min(),
        "torch": tt.min(),
        "ratio": float(np.median(tt / te)),
        "trace_ratio": float(np.median(tr / tp)),
        "steps": -(-len(X) // bs),
    }


TARGETS = {"mlp_small": 8.0, "mlp_784": 1.2, "lenet": 1.0, "deep": 0.8}
TITLES = {
    "mlp_small": "2-8-8-2 tanh MLP, batch 10",
    "mlp_784": "784-256-128-10 ReLU MLP, batch 64",
    "lenet": "LeNet-like CNN 1x28x28, batch 64",
    "deep": "CNN 16/32 same, 3x32x32, batch 64",
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--keep-blas-env", action="store_true")
    p.add_argument("--only", nargs="+", choices=list(TARGETS))
    p.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="BLAS / torch threads for BOTH sides, one pass per value (default: 1 then 2)",
    )
    p.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="wall",
        help="wall: elapsed time (default), cpu: CPU time of this process (all threads)",
    )
    args = p.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    from threadpoolctl import threadpool_limits

    if os.environ.get("NNWEB_BENCH_REEXEC"):
        print(f"re-executed without {' and '.join(BLAS_VARS)} (this process only)")
    print(f"numpy {np.__version__}, torch {torch.__version__}; {load_average()}")
    print(f"engine.memory.keep_freed_memory: {engine.memory.keep_freed_memory()}")
    print("OPENBLAS env:", {v: os.environ.get(v) for v in BLAS_VARS})
    print(
        f"float32, one epoch of SGD.fit vs the same torch loop; {args.repeat} interleaved rounds "
        f"(times: best round; ratios: median of the rounds' ratios); clock: {args.clock} time"
    )
    for threads in args.threads:
        torch.set_num_threads(threads)
        with threadpool_limits(threads):
            print(
                f"--- threads per side: {threads} (torch {torch.get_num_threads()}); "
                f"BLAS: {blas_info()}"
            )
            for kind in args.only or TARGETS:
                r = run_case(kind, args.repeat)
                ok = "ok" if r["ratio"] >= TARGETS[kind] else "BELOW TARGET"
                print(
                    f"{TITLES[kind]:36s} engine {r['engine'] * 1e3:7.1f} ms"
                    f"  torch {r['torch'] * 1e3:7.1f} ms  ({r['steps']} steps)"
                    f"  torch/engine = {r['ratio']:.2f}x (target >= {TARGETS[kind]}x, {ok});"
                    f"  trace/plain step = {r['trace_ratio']:.2f} (target <= 1.3)",
                    flush=True,
                )
    print(f"done; {load_average()}")


if __name__ == "__main__":
    main()
