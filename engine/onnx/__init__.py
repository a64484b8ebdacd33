"""ONNX for engine networks: export, load and validation of untrusted files.

- :func:`export` writes an engine ``Sequential`` as an ONNX model (opset 17, float32).
- :func:`load` reads an ONNX model (validated first) back into an engine ``Sequential``.
- :func:`validate` checks an untrusted file and raises :class:`ModelRejected` on refusal.

This subpackage imports the ``onnx`` library (protobuf + checker), never onnxruntime;
``import engine`` does not import it.
"""

from .validate import DEFAULT_LIMITS, Limits, ModelRejected, validate  # noqa: I001
from .export import export, to_model
from .load import LoadedModel, load, load_model, read_metadata

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "LoadedModel",
    "ModelRejected",
    "export",
    "load",
    "load_model",
    "read_metadata",
    "to_model",
    "validate",
]
