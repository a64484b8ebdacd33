"""Lesson 9, fully connected layers: a small CNN trained from the page."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from engine import SGD, Conv2D, Dense, Flatten, MaxPool2D, Sequential

from .images import _digits, _shapes
from .inputs import (
    as_choice,
    as_float,
    as_int,
    rnd,
)

CNN_DATASETS = ("digits", "shapes")


def cnn_train(
    dataset: Any = "digits", epochs: Any = 4, lr: Any = 0.3, filters: Any = 6, seed: Any = 0
) -> dict[str, Any]:
    """Train conv(3x3, ReLU) -> max-pool 2 -> flatten -> dense softmax on a small image set in a
    few seconds; return the history, feature maps of one example per class, the confusion
    matrix on the held-out images and the misclassified ones."""
    dataset = as_choice(dataset, "dataset", CNN_DATASETS)
    epochs = as_int(epochs, "epochs", 1, 15)
    lr = as_float(lr, "lr", 1e-4, 2)
    F = as_int(filters, "filters", 1, 8)
    seed = as_int(seed, "seed", 0, 10_000)
    X, y, names = _digits() if dataset == "digits" else _shapes(seed=seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_test = len(X) // 5
    Xte, yte, Xtr, ytr = X[:n_test], y[:n_test], X[n_test:], y[n_test:]
    side = X.shape[-1]
    K = len(names)
    conv_out = side - 2
    pooled = conv_out // 2
    net = Sequential(
        [
            Conv2D(1, F, 3, activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(F * pooled * pooled, K, activation="softmax"),
        ],
        loss="cross_entropy",
        seed=seed,
    )
    opt = SGD(lr, batch_size=32)
    history = []
    t0 = time.perf_counter()
    for e in range(epochs):
        h = opt.fit(net, Xtr, ytr, epochs=1, shuffle=True, seed=seed + e)
        ev = net.evaluate(Xte, yte)
        history.append(
            {
                "epoch": e + 1,
                "train_loss": float(np.mean(h["epoch_loss"])),
                "test_loss": ev["loss"],
                "test_accuracy": ev["accuracy"],
            }
        )
    wall = time.perf_counter() - t0
    probs = net.forward(Xte)
    pred = probs.argmax(axis=1)
    confusion = np.zeros((K, K), dtype=int)
    np.add.at(confusion, (yte, pred), 1)
    wrong = np.flatnonzero(pred != yte)[:12]
    # feature maps of one held-out example per class
    examples = []
    for c in range(K):
        idx = np.flatnonzero(yte == c)
        if not len(idx):
            continue
        i = int(idx[0])
        tr = net.trace(Xte[i : i + 1], yte[i : i + 1])
        examples.append(
            {
                "label": c,
                "image": rnd(Xte[i, 0], 3),
                "conv": rnd(tr.layers[0].a[0], 3),
                "pool": rnd(tr.layers[1].a[0], 3),
                "flat_len": int(tr.layers[2].a.shape[1]),
                "probs": rnd(tr.layers[3].a[0], 4),
            }
        )
    params = net.get_params()
    return {
        "dataset": dataset,
        "classes": names,
        "architecture": [
            f"input 1x{side}x{side}",
            f"Conv2D 3x3, {F} filters, ReLU -> {F}x{conv_out}x{conv_out}",
            f"MaxPool2D 2x2 -> {F}x{pooled}x{pooled}",
            f"Flatten -> {F * pooled * pooled}",
            f"Dense {F * pooled * pooled} -> {K}, softmax",
        ],
        "n_train": len(Xtr),
        "n_test": len(Xte),
        "history": history,
        "wall_s": wall,
        "kernels": rnd(params["W1"][:, 0], 3),
        "confusion": confusion.tolist(),
        "accuracy": float((pred == yte).mean()),
        "misclassified": [
            {
                "image": rnd(Xte[i, 0], 3),
                "true": int(yte[i]),
                "pred": int(pred[i]),
                "p": float(probs[i, pred[i]]),
            }
            for i in wrong
        ],
        "examples": examples,
    }
