"""Operator tables shared by the ONNX validator, exporter and loader.

``LOADABLE_OPS`` are the operators :func:`engine.onnx.load` turns into engine layers.
``SERVABLE_OPS`` adds common inference operators that onnxruntime may serve but the
engine cannot step through (batch norm, transposed convolution, RoI align, NMS, ...).
Operators that build tensors whose size comes from data (ConstantOfShape, Expand, Tile,
Range, Resize) and control flow with subgraphs (If, Loop, Scan) are left out on purpose:
they let a small file ask the server for unbounded memory or time.
"""

from __future__ import annotations

# Domains an uploaded model may use: the default ONNX operator set only.
ALLOWED_DOMAINS = frozenset({"", "ai.onnx"})

# Operators the loader maps onto engine layers (activations included).
ACTIVATION_OPS = frozenset({"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Softmax"})
LOADABLE_OPS = frozenset(
    {
        "Gemm",
        "MatMul",
        "Add",
        "Conv",
        "MaxPool",
        "AveragePool",
        "Flatten",
        "Reshape",
        "Identity",
        "Dropout",
        "Constant",
    }
    | ACTIVATION_OPS
)

SERVABLE_OPS = frozenset(
    LOADABLE_OPS
    | {
        "Abs",
        "And",
        "ArgMax",
        "ArgMin",
        "BatchNormalization",
        "Cast",
        "Ceil",
        "Clip",
        "Concat",
        "ConvTranspose",
        "Div",
        "Elu",
        "Equal",
        "Erf",
        "Exp",
        "Floor",
        "Gather",
        "Gelu",
        "GlobalAveragePool",
        "GlobalMaxPool",
        "Greater",
        "GreaterOrEqual",
        "HardSigmoid",
        "HardSwish",
        "InstanceNormalization",
        "LayerNormalization",
        "Less",
        "LessOrEqual",
        "Log",
        "LogSoftmax",
        "Max",
        "Min",
        "Mul",
        "Neg",
        "NonMaxSuppression",
        "Not",
        "Or",
        "Pad",
        "Pow",
        "PRelu",
        "Reciprocal",
        "ReduceMax",
        "ReduceMean",
        "ReduceMin",
        "ReduceSum",
        "RoiAlign",
        "Round",
        "Selu",
        "Shape",
        "Sign",
        "Slice",
        "Softsign",
        "Split",
        "Sqrt",
        "Squeeze",
        "Sub",
        "Sum",
        "TopK",
        "Transpose",
        "Unsqueeze",
        "Where",
    }
)

# Minimum / maximum default-domain opset accepted from untrusted files.
MIN_OPSET = 7
EXPORT_OPSET = 17
