"""Serving ONNX models with onnxruntime: one cached, warmed session per model file and process.

    from engine import runtime
    result = runtime.run("model.onnx", x)        # x: (N, ...) float32 array
    result.output, result.provider, result.latency_ms

- Sessions are cached per process, keyed by the file's real path, modification time and
  size: replacing the file gives a fresh session on the next call. At most ``MAX_SESSIONS``
  are kept (least recently used go first), so a large model zoo cannot fill the memory.
- Providers are ``["CUDAExecutionProvider", "CPUExecutionProvider"]`` when onnxruntime
  reports CUDA, ``["CPUExecutionProvider"]`` otherwise. The provider that actually serves
  (``session.get_providers()[0]``) is returned with every result, with the latency.
- Thread-safe: a lock per file makes concurrent first requests build one session (other
  files are not held up);
  ``InferenceSession.run`` itself is safe to call from several threads.
- The file is validated (:func:`engine.onnx.validate`) and handed to onnxruntime as bytes,
  so onnxruntime never resolves an external-data path from an untrusted file.
- onnxruntime is imported lazily, on the first session: ``import engine`` stays NumPy-only.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "InferenceResult",
    "ModelSession",
    "available_providers",
    "clear_cache",
    "evict",
    "get_session",
    "preferred_providers",
    "run",
    "session_from_bytes",
]

WARMUP_MAX_ELEMENTS = 10**7  # no warm-up on inputs larger than this (it would allocate them)
MAX_SESSIONS = 16  # cached sessions per process; each holds its weights and arenas in memory
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
# cuDNN's default exhaustive algorithm search is slow on models whose convolution shapes vary
# from run to run (Mask R-CNN's mask head, one shape per detection count): 41 vs 11 ms on an H200
CUDA_OPTIONS = {"cudnn_conv_algo_search": "HEURISTIC"}

_ORT_TYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}


def _ort():
    import onnxruntime  # lazy: only serving needs it

    return onnxruntime


def available_providers() -> list[str]:
    """The execution providers this onnxruntime build offers."""
    return list(_ort().get_available_providers())


def preferred_providers() -> list[str]:
    """CUDA first (falling back to CPU) when onnxruntime reports CUDA, else CPU only."""
    return [CUDA, CPU] if CUDA in available_providers() else [CPU]


@dataclass
class InferenceResult:
    """Outputs of one run, the provider that computed them and the wall-clock latency."""

    outputs: dict[str, np.ndarray]
    provider: str
    latency_ms: float

    @property
    def output(self) -> np.ndarray:
        """The first (for engine exports: the only) output."""
        return next(iter(self.outputs.values()))


@dataclass
class ModelSession:
    """A warmed onnxruntime session with its input/output description."""

    session: Any
    key: tuple
    input_names: list[str]
    input_shapes: list[list[Any]]
    input_types: list[str]
    output_names: list[str]
    metadata: dict[str, str] = field(default_factory=dict)
    warmup_error: str | None = None

    @property
    def provider(self) -> str:
        return self.session.get_providers()[0]

    @property
    def providers(self) -> list[str]:
        return list(self.session.get_providers())

    def _feed(self, inputs) -> dict[str, np.ndarray]:
        if isinstance(inputs, Mapping):
            feed = dict(inputs)
            missing = [n for n in self.input_names if n not in feed]
            if missing:
                raise ValueError(
                    f"missing model inputs {missing}; the model takes {self.input_names}"
                )
        else:
            if len(self.input_names) != 1:
                raise ValueError(
                    f"the model takes {len(self.input_names)} inputs {self.input_names}; "
                    "pass a dict name -> array"
                )
            feed = {self.input_names[0]: inputs}
        out = {}
        for name, typ in zip(self.input_names, self.input_types):
            arr = np.asarray(feed[name])
            dtype = _ORT_TYPES.get(typ)
            if dtype is not None and arr.dtype != dtype:
                arr = arr.astype(dtype)
            out[name] = np.ascontiguousarray(arr)
        return out

    def run(self, inputs) -> InferenceResult:
        """Run the model on one array (single-input models) or a dict name -> array."""
        feed = self._feed(inputs)
        t0 = time.perf_counter()
        try:
            values = self.session.run(self.output_names, feed)
        except Exception as exc:  # onnxruntime raises its own exception types
            shapes = {k: v.shape for k, v in feed.items()}
            raise ValueError(
                f"onnxruntime could not run the model on inputs {shapes} "
                f"(expects {dict(zip(self.input_names, self.input_shapes))}): {exc}"
            ) from None
        latency_ms = (time.perf_counter() - t0) * 1000.0
        return InferenceResult(dict(zip(self.output_names, values)), self.provider, latency_ms)

    def warm_up(self) -> None:
        """One run on zeros (symbolic batch dims = 1, other symbolic dims = 32)."""
        feed = {}
        for name, shape, typ in zip(self.input_names, self.input_shapes, self.input_types):
            dims = [
                d if isinstance(d, int) and d > 0 else (1 if i == 0 else 32)
                for i, d in enumerate(shape)
            ]
            if math.prod(dims) > WARMUP_MAX_ELEMENTS:
                self.warmup_error = f"skipped: input {name!r} of shape {dims} is too large"
                return
            feed[name] = np.zeros(dims, dtype=_ORT_TYPES.get(typ, np.float32))
        try:
            self.session.run(self.output_names, feed)
            self.warmup_error = None
        except Exception as exc:  # the model needs real inputs; the first request will tell
            self.warmup_error = str(exc)


def session_from_bytes(
    data: bytes,
    providers: list[str] | None = None,
    *,
    key: tuple = (),
    validate: bool = True,
    limits=None,
    intra_op_threads: int | None = None,
) -> ModelSession:
    """Build and warm a session from model bytes (validated first unless ``validate=False``)."""
    if validate:
        from .onnx.validate import validate as _validate

        _validate(data, limits)
    ort = _ort()
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL  # the default
    if intra_op_threads:
        opts.intra_op_num_threads = int(intra_op_threads)
    providers = list(providers or preferred_providers())
    with_options = [(p, CUDA_OPTIONS) if p == CUDA else p for p in providers]
    session = ort.InferenceSession(data, sess_options=opts, providers=with_options)
    inputs = session.get_inputs()
    meta = session.get_modelmeta()
    ms = ModelSession(
        session=session,
        key=key,
        input_names=[i.name for i in inputs],
        input_shapes=[list(i.shape) for i in inputs],
        input_types=[i.type for i in inputs],
        output_names=[o.name for o in session.get_outputs()],
        metadata=dict(meta.custom_metadata_map or {}),
    )
    ms.warm_up()
    return ms


_lock = threading.Lock()  # guards the two dicts below
_cache: OrderedDict[str, ModelSession] = OrderedDict()  # real path -> session, LRU order
_building: dict[str, threading.Lock] = {}  # real path -> lock held while its session is built


def _file_key(path: str | os.PathLike) -> tuple[str, tuple]:
    real = os.path.realpath(os.fspath(path))
    try:
        st = os.stat(real)
    except OSError as exc:
        raise ValueError(
            f"{os.fspath(path)}: cannot read the model file ({exc.strerror})"
        ) from None
    return real, (real, st.st_mtime_ns, st.st_size)


def get_session(
    path: str | os.PathLike,
    providers: list[str] | None = None,
    *,
    validate: bool = True,
    limits=None,
) -> ModelSession:
    """The cached session for a model file, built (validated, warmed) on first use."""
    providers = list(providers or preferred_providers())
    real, stamp = _file_key(path)
    key = (*stamp, tuple(providers))
    with _lock:
        cached = _cache.get(real)
        if cached is not None and cached.key == key:
            _cache.move_to_end(real)
            return cached
        build_lock = _building.setdefault(real, threading.Lock())
    with build_lock:  # one build per file; other files are not held up
        cached = _cache.get(real)
        if cached is not None and cached.key == key:
            return cached
        with open(real, "rb") as fh:
            data = fh.read()
        ms = session_from_bytes(data, providers, key=key, validate=validate, limits=limits)
        with _lock:
            _cache[real] = ms  # replaces the session of an older version of the file
            _cache.move_to_end(real)
            while len(_cache) > MAX_SESSIONS:
                _cache.popitem(last=False)  # callers still running it keep their reference
        return ms


def run(path: str | os.PathLike, inputs, providers: list[str] | None = None) -> InferenceResult:
    """Run the model stored at ``path`` through its cached session."""
    return get_session(path, providers).run(inputs)


def evict(path: str | os.PathLike) -> bool:
    """Forget the cached session of ``path`` (after the file was deleted); True if one was."""
    real = os.path.realpath(os.fspath(path))
    with _lock:
        return _cache.pop(real, None) is not None


def clear_cache() -> None:
    """Drop every cached session (tests, or after deleting model files)."""
    with _lock:
        _cache.clear()
        _building.clear()


def cached_paths() -> list[str]:
    """Real paths with a cached session in this process."""
    return list(_cache)
