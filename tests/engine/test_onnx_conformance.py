"""engine.onnx.load against the ONNX project's own node test cases: the same answer or a clear
refusal, never a wrong answer.

The cases come from the generators in ``onnx.backend.test.case.node`` (the wheel has no data
folder): each module, imported, builds one-node models (and their function-expanded forms)
with inputs and the expected outputs. The loader builds whole engine networks, so most cases
are refusals (several graph inputs, rank-3 tensors, a lone activation with no layer to attach
it to); a refusal must be a ``ModelRejected`` whose message names what it refuses.

Each case runs twice where it has several inputs: as written, and with every input but the
first turned into an initializer ("weights as initializers"), the form an exported model has
and the only one in which Gemm, Conv and BatchNormalization cases can load at all.

The default test covers the modules of the loader's own operators (``LOADABLE_OPS``), which
hold every case made only of loadable operators but two Clip cases (checked by the slow test);
the pooling modules compute their expected outputs in Python and take most of its time. The
``slow`` test sweeps every node module (about 1,900 cases).
"""

from __future__ import annotations

import collections
import importlib
import pkgutil
import re
import warnings

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from engine.onnx import ModelRejected, load
from engine.onnx.ops import LOADABLE_OPS

node_cases = pytest.importorskip("onnx.backend.test.case.node")

# The engine computes in float64; the expected outputs are float32 (some float16) numpy.
RTOL = {np.dtype(np.float16): 1e-2}
RTOL_DEFAULT, ATOL = 1e-4, 1e-5
# Floors for the default run (onnx 1.23.2): the test fails if the loader starts refusing what
# it loads today.
MIN_MATCHED = 19
MIN_ALL_LOADABLE = 127  # 129 over every module (two Clip cases are Identity only)


def _module_name(op: str) -> str:
    """BatchNormalization -> batch_normalization, MaxPool -> maxpool (the generators' names)."""
    special = {"BatchNormalization": "batch_normalization"}
    return special.get(op, op.lower())


LOADER_MODULES = sorted(_module_name(op) for op in LOADABLE_OPS)

_collected: dict[str, list] = {}


def _cases(modules) -> list:
    """The test cases the given node modules generate (each module imported once)."""
    out = []
    for name in modules:
        if name not in _collected:
            before = len(node_cases._NodeTestCases)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(f"{node_cases.__name__}.{name}")
            _collected[name] = node_cases._NodeTestCases[before:]
        out.extend(_collected[name])
    return out


def _with_initializers(model: onnx.ModelProto, inputs) -> onnx.ModelProto | None:
    """The model with every graph input but the first made an initializer of its test value."""
    if not all(isinstance(v, np.ndarray) for v in inputs[1:]):
        return None  # sequences / optionals: no tensor initializer for them
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for vi, value in zip(m.graph.input[1:], inputs[1:]):
        m.graph.initializer.append(numpy_helper.from_array(value, vi.name))
    del m.graph.input[1:]
    return m


def _outcome(model, inputs, outputs) -> tuple[str, str]:
    """("matched" | "refused" | "wrong" | "error", detail) for one model and its data."""
    try:
        net = load(model)
    except ModelRejected as exc:
        msg = str(exc)
        # a clear refusal says what: a node (name and op type), an input, output or the graph
        if not re.search(r"node '.*' \(\w+\)|operator|input|output|graph|opset|tensor", msg):
            return "error", f"unclear refusal: {msg}"
        return "refused", msg
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug
        return "error", f"load raised {exc!r}"
    if len(inputs) != 1 or len(outputs) != 1:
        return "wrong", f"loaded a model with {len(inputs)} inputs, {len(outputs)} outputs"
    x, expected = np.asarray(inputs[0]), np.asarray(outputs[0])
    try:
        y = net.forward(x)
    except Exception as exc:  # noqa: BLE001
        return "error", f"forward raised {exc!r}"
    if y.shape != expected.shape:
        return "wrong", f"shape {y.shape}, expected {expected.shape}"
    rtol = RTOL.get(expected.dtype, RTOL_DEFAULT)
    e = expected.astype(np.float64)
    if not np.allclose(y, e, rtol=rtol, atol=ATOL, equal_nan=True):
        return "wrong", f"max |difference| {np.nanmax(np.abs(y - e)):.3g}"
    return "matched", ""


def _sweep(modules):
    """Run every case that uses a loadable operator; return (counts, table rows, failures)."""
    counts = collections.Counter()
    by_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures = []
    for case in _cases(modules):
        ops = {n.op_type for n in case.model.graph.node}
        if not ops & LOADABLE_OPS:
            continue
        counts["considered"] += 1
        key = "+".join(sorted(ops)) if ops <= LOADABLE_OPS else "with other operators"
        counts["all loadable"] += ops <= LOADABLE_OPS
        ((inputs, outputs),) = case.data_sets
        variants = [("as written", case.model, inputs)]
        if len(inputs) > 1 and (m := _with_initializers(case.model, inputs)) is not None:
            variants.append(("weights as initializers", m, inputs[:1]))
        for variant, model, data_in in variants:
            result, detail = _outcome(model, data_in, outputs)
            counts[variant, result] += 1
            by_op[key][variant, result] += 1
            if result in ("wrong", "error"):
                failures.append(f"{case.name} ({variant}): {result}: {detail}")
    return counts, by_op, failures


def _table(counts, by_op) -> str:
    cols = [
        (v, r) for v in ("as written", "weights as initializers") for r in ("matched", "refused")
    ]
    lines = [
        f"cases using a loadable operator: {counts['considered']}, made only of loadable "
        f"operators: {counts['all loadable']}",
        "| operators | as written: matched | refused | weights as initializers: matched "
        "| refused |",
        "|---|---:|---:|---:|---:|",
    ]
    for key in sorted(by_op, key=lambda k: (k == "with other operators", k)):
        lines.append(f"| {key} | " + " | ".join(str(by_op[key][c]) for c in cols) + " |")
    lines.append("| **total** | " + " | ".join(f"**{counts[c]}**" for c in cols) + " |")
    wrong = sum(
        counts[v, r] for v in ("as written", "weights as initializers") for r in ("wrong", "error")
    )
    lines.append(f"wrong answers or errors: {wrong}")
    return "\n".join(lines)


def test_loader_node_cases_match_or_refuse(capsys):
    counts, by_op, failures = _sweep(LOADER_MODULES)
    with capsys.disabled():
        print("\n" + _table(counts, by_op))
    assert not failures, "\n".join(failures)
    matched = counts["as written", "matched"] + counts["weights as initializers", "matched"]
    assert matched >= MIN_MATCHED
    assert counts["all loadable"] >= MIN_ALL_LOADABLE


@pytest.mark.slow
def test_every_node_case_module_matches_or_refuses(capsys):
    modules = [m.name for m in pkgutil.iter_modules(node_cases.__path__)]
    counts, by_op, failures = _sweep(modules)
    with capsys.disabled():
        print("\n" + _table(counts, by_op))
    assert not failures, "\n".join(failures)
    assert counts["considered"] >= 470 and counts["all loadable"] >= MIN_ALL_LOADABLE + 2
    matched = counts["as written", "matched"] + counts["weights as initializers", "matched"]
    assert matched >= MIN_MATCHED
