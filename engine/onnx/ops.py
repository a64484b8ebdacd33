"""Operator tables shared by the ONNX validator, exporter and loader.

``LOADABLE_OPS`` are the operators :func:`engine.onnx.load` turns into engine layers.
``SERVABLE_OPS`` adds common inference operators that onnxruntime may serve but the
engine cannot step through (batch norm, transposed convolution, RoI align, NMS, ...).
Operators that build tensors whose size comes from data (ConstantOfShape, Expand, Tile,
Range) are accepted only when the validator can bound what they build (``SIZE_FROM_DATA_OPS``:
constant size arguments are checked, and shape inference with data propagation must not find
a tensor over the limit). Resize and control flow with subgraphs (If, Loop, Scan) are left out:
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
        "BatchNormalization",
    }
    | ACTIVATION_OPS
)

# Operators whose output size is an input value; see validate._check_sizes_from_data.
SIZE_FROM_DATA_OPS = frozenset({"ConstantOfShape", "Expand", "Range", "Tile"})

SERVABLE_OPS = frozenset(
    LOADABLE_OPS
    | SIZE_FROM_DATA_OPS
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
        "GatherElements",
        "GridSample",
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
