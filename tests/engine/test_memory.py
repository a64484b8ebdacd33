"""engine.memory: glibc malloc keeps freed memory, so a training step does not page-fault."""

import os
import platform
import resource

import numpy as np
import pytest

from engine import Conv2D, Dense, Flatten, MaxPool2D, Sequential, memory

glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def test_the_opt_out_leaves_malloc_alone(monkeypatch):
    monkeypatch.setattr(memory, "_done", None)
    monkeypatch.setenv("NNWEB_ENGINE_DEFAULT_MALLOC", "1")
    assert memory.keep_freed_memory() is False
    assert memory._done is False


@pytest.mark.skipif(not glibc, reason="mallopt is glibc's")
@pytest.mark.skipif(bool(os.environ.get("NNWEB_ENGINE_DEFAULT_MALLOC")), reason="opted out")
def test_training_steps_reuse_memory_after_the_first():
    assert memory.keep_freed_memory() is True  # set at import of engine
    layers = [
        Conv2D(3, 16, 3, padding="same", activation="relu"),
        MaxPool2D(2),
        Conv2D(16, 32, 3, padding="same", activation="relu"),
        MaxPool2D(2),
        Flatten(),
        Dense(32 * 8 * 8, 10, "softmax"),
    ]
    net = Sequential(layers, "cross_entropy", seed=0, dtype=np.float32)
    rng = np.random.default_rng(0)
    x, _, t = net.prepare(rng.random((64, 3, 32, 32), dtype=np.float32), rng.integers(0, 10, 64))
    for _ in range(3):
        net.propagate(x, t)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        net.propagate(x, t)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5
    # glibc's defaults: about 5,500 page faults per step of this network (20 MB of fresh pages)
    assert faults < 500
