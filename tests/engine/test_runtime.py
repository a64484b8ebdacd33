"""engine.runtime: cached, warmed onnxruntime sessions with provider and latency per result."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from engine import runtime
from engine.onnx import ModelRejected


def _model_bytes(scale: float = 1.0) -> tuple[bytes, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    W = (rng.normal(size=(4, 3)) * scale).astype(np.float32)
    b = rng.normal(size=4).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["input", "W", "b"], ["u"], name="dense1", transB=1),
            helper.make_node("Tanh", ["u"], ["output"], name="tanh1"),
        ],
        "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4])],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {"producer": "nnweb-test"})
    return model.SerializeToString(), W, b


@pytest.fixture(autouse=True)
def _fresh_cache():
    runtime.clear_cache()
    yield
    runtime.clear_cache()


def test_run_gives_outputs_provider_and_latency(tmp_path):
    data, W, b = _model_bytes()
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    x = np.random.default_rng(1).normal(size=(5, 3))  # float64 in: cast to the model's float32
    result = runtime.run(path, x)
    expected = np.tanh(x.astype(np.float32) @ W.T + b)
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-6)
    assert result.provider in runtime.available_providers()
    assert result.provider == runtime.preferred_providers()[0]
    assert result.latency_ms >= 0.0
    assert list(result.outputs) == ["output"]


def test_providers_follow_onnxruntime(monkeypatch):
    monkeypatch.setattr(runtime, "available_providers", lambda: ["CPUExecutionProvider"])
    assert runtime.preferred_providers() == ["CPUExecutionProvider"]
    monkeypatch.setattr(
        runtime,
        "available_providers",
        lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"],
    )
    assert runtime.preferred_providers() == ["CUDAExecutionProvider", "CPUExecutionProvider"]


def test_session_cached_per_file_and_refreshed_when_file_changes(tmp_path):
    data, _, _ = _model_bytes()
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    s1 = runtime.get_session(path)
    assert runtime.get_session(str(path)) is s1
    assert s1.warmup_error is None
    assert s1.metadata.get("producer") == "nnweb-test"
    data2, W2, b2 = _model_bytes(scale=2.0)
    path.write_bytes(data2)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    s2 = runtime.get_session(path)
    assert s2 is not s1
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(s2.run(x).output, np.tanh(x @ W2.T + b2), rtol=1e-5)
    assert runtime.cached_paths() == [os.path.realpath(path)]


def test_cache_keeps_the_most_recently_used_sessions(tmp_path, monkeypatch):
    monkeypatch.setattr(runtime, "MAX_SESSIONS", 2)
    data, _, _ = _model_bytes()
    paths = []
    for name in "abc":
        paths.append(tmp_path / f"{name}.onnx")
        paths[-1].write_bytes(data)
    real = [os.path.realpath(p) for p in paths]
    first = runtime.get_session(paths[0])
    runtime.get_session(paths[1])
    assert runtime.get_session(paths[0]) is first  # a hit makes a the most recent
    runtime.get_session(paths[2])  # over the limit: b, the least recently used, goes
    assert runtime.cached_paths() == [real[0], real[2]]


def test_concurrent_first_requests_build_one_session(tmp_path, monkeypatch):
    data, W, b = _model_bytes()
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    built = []
    real_build = runtime.session_from_bytes

    def counting(*args, **kwargs):
        built.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(runtime, "session_from_bytes", counting)
    results, errors = [], []
    x = np.random.default_rng(2).normal(size=(3, 3)).astype(np.float32)

    def worker():
        try:
            results.append(runtime.run(path, x).output)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(built) == 1
    for out in results:
        np.testing.assert_allclose(out, np.tanh(x @ W.T + b), rtol=1e-5, atol=1e-6)


def test_untrusted_file_is_validated_before_onnxruntime(tmp_path):
    data, _, _ = _model_bytes()
    model = onnx.load_from_string(data)
    entry = model.graph.initializer[0].external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    model.graph.initializer[0].data_location = TensorProto.EXTERNAL
    path = tmp_path / "evil.onnx"
    path.write_bytes(model.SerializeToString())
    with pytest.raises(ModelRejected, match="external data"):
        runtime.get_session(path)
    assert runtime.cached_paths() == []


def test_bad_inputs_are_value_errors(tmp_path):
    data, _, _ = _model_bytes()
    sess = runtime.session_from_bytes(data)
    with pytest.raises(ValueError, match="could not run"):
        sess.run(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match="missing model inputs"):
        sess.run({"other": np.ones((2, 3))})
    with pytest.raises(ValueError, match="cannot read"):
        runtime.get_session(tmp_path / "missing.onnx")


def test_import_engine_does_not_import_onnxruntime():
    code = (
        "import sys, engine, engine.runtime; "
        "assert 'onnxruntime' not in sys.modules, 'onnxruntime imported'; "
        "assert 'onnx' not in sys.modules, 'onnx imported'"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
