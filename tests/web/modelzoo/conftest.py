"""Fixtures of the model-zoo tests: a private media folder, ONNX files good and bad.

The users (student "alice", other_student "bob", instructor "irene") and the API clients come
from tests/conftest.py.
"""

from __future__ import annotations

import io

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from engine import Conv2D, Dense, Flatten, MaxPool2D, Sequential, runtime


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Fixture users hash their password once per test: a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    runtime.clear_cache()
    yield settings.MEDIA_ROOT
    runtime.clear_cache()


def small_mlp() -> Sequential:
    return Sequential(
        [Dense(4, 6, activation="tanh"), Dense(6, 3, activation="softmax")],
        "cross_entropy",
        seed=0,
    )


def small_cnn() -> Sequential:
    return Sequential(
        [
            Conv2D(1, 2, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(2 * 4 * 4, 3, activation="softmax"),
        ],
        "cross_entropy",
        seed=1,
    )


def onnx_bytes(net=None, **kw) -> bytes:
    from engine.onnx import to_model

    return to_model(net or small_mlp(), **kw).SerializeToString()


def named(content: bytes, name: str = "model.onnx") -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def _base_model() -> onnx.ModelProto:
    return onnx.load_from_string(onnx_bytes())


def bad_external_data() -> bytes:
    m = _base_model()
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "/etc/passwd"), ("offset", "0"), ("length", "96")):
        e = t.external_data.add()
        e.key, e.value = key, value
    return m.SerializeToString()


def bad_custom_domain() -> bytes:
    m = _base_model()
    m.graph.node[1].domain = "com.example.evil"
    m.opset_import.append(helper.make_opsetid("com.example.evil", 1))
    return m.SerializeToString()


def bad_huge_initializer() -> bytes:
    m = _base_model()
    t = TensorProto()
    t.name, t.data_type = "huge", TensorProto.FLOAT
    t.dims.extend([1000, 1000, 1000])
    t.raw_data = b"\0" * 16
    m.graph.initializer.append(t)
    return m.SerializeToString()


def bad_truncated() -> bytes:
    data = onnx_bytes(Sequential([Dense(50, 40)], "half_sse", seed=0))
    return data[: len(data) // 2]


def bad_unsupported_op() -> bytes:
    m = _base_model()
    m.graph.node.append(
        helper.make_node("Resize", ["output", "", "scales"], ["bigger"], name="upsample")
    )
    m.graph.initializer.append(numpy_helper.from_array(np.array([1, 100], np.float32), "scales"))
    return m.SerializeToString()


BAD_FILES = {
    "external_data": (bad_external_data, "external data"),
    "custom_domain": (bad_custom_domain, "domain 'com.example.evil'"),
    "huge_initializer": (bad_huge_initializer, "1000000000 elements"),
    "truncated": (bad_truncated, "truncated or corrupt"),
    "unsupported_op": (bad_unsupported_op, "operator 'Resize'"),
}
