"""A tiny stand-in instance-segmentation ONNX model with the shipped model's interface.

``image`` float32 [1, 3, H, W] -> ``boxes`` [K, 4], ``labels`` [K] int64, ``scores`` [K],
``masks`` [K, 1, H, W]. The "object" is every pixel darker than 0.5 (mean over RGB); its
box is fixed at (32, 32, 96, 96), label 2 ("circle"), score 0.9 — or K = 0 for the
empty variant. The API tests use it so they do not depend on the trained model.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

CLASSES = '["background", "square", "circle", "triangle"]'


def build_fake_model(empty: bool = False) -> onnx.ModelProto:
    def const(name, arr):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name))

    nodes = [
        const("half", np.array(0.5, dtype=np.float32)),
        helper.make_node("ReduceMean", ["image"], ["gray"], axes=[1], keepdims=1),
        helper.make_node("Less", ["gray", "half"], ["dark"]),
        helper.make_node("Cast", ["dark"], ["mask1"], to=TensorProto.FLOAT),
        const("starts", np.array([0], dtype=np.int64)),
        const("ends", np.array([0 if empty else 1], dtype=np.int64)),
        const("axes", np.array([0], dtype=np.int64)),
        helper.make_node("Slice", ["mask1", "starts", "ends", "axes"], ["masks"]),
        const(
            "boxes",
            np.zeros((0, 4), np.float32) if empty else np.array([[32, 32, 96, 96]], np.float32),
        ),
        const("labels", np.zeros(0, np.int64) if empty else np.array([2], np.int64)),
        const("scores", np.zeros(0, np.float32) if empty else np.array([0.9], np.float32)),
    ]
    graph = helper.make_graph(
        nodes,
        "fake_maskrcnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])],
        [
            helper.make_tensor_value_info("boxes", TensorProto.FLOAT, ["K", 4]),
            helper.make_tensor_value_info("labels", TensorProto.INT64, ["K"]),
            helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["K"]),
            helper.make_tensor_value_info("masks", TensorProto.FLOAT, ["K", 1, "H", "W"]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {"classes": CLASSES})
    onnx.checker.check_model(model)
    return model


@pytest.fixture
def fake_model(tmp_path, settings):
    path = tmp_path / "fake_maskrcnn.onnx"
    onnx.save(build_fake_model(), path)
    settings.SEGMENTATION_DEFAULT_MODEL = str(path)
    return path


@pytest.fixture
def empty_model(tmp_path, settings):
    path = tmp_path / "empty_maskrcnn.onnx"
    onnx.save(build_fake_model(empty=True), path)
    settings.SEGMENTATION_DEFAULT_MODEL = str(path)
    return path
