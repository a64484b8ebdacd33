"""Encoding of playground messages.

Small messages (stage numbers, state) are JSON written by orjson; numpy arrays inside them are
written as nested lists of float64, so the browser shows exactly the engine's numbers.

Heavy arrays (the heatmap grid, neuron thumbnails, weights during play) travel compactly:

* over the websocket as one **binary frame**::

      b"NNF1" | uint32 LE header length H | header (orjson, space-padded so 8 + H % 8 == 0)
      | payload: the arrays one after another, each starting on an 8-byte boundary

  The header is the frame's JSON with ``"arrays": {name: {"dtype", "shape", "offset",
  "nbytes"}}`` (offset from the start of the payload; dtype "f4" little-endian float32, "u1"
  uint8, "f8" float64).
* over REST as JSON, each array as ``{"dtype", "shape", "b64"}`` (little-endian bytes, base64).
"""

from __future__ import annotations

import base64
import struct
from typing import Any

import numpy as np
import orjson

MAGIC = b"NNF1"
_DTYPES = {"f4": np.dtype("<f4"), "f8": np.dtype("<f8"), "u1": np.dtype("u1")}
JSON_OPTS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def dumps(obj: Any) -> bytes:
    """orjson with numpy arrays (any dtype / non-contiguous) and numpy scalars."""
    return orjson.dumps(obj, default=_default, option=JSON_OPTS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def _code(a: np.ndarray) -> str:
    for code, dt in _DTYPES.items():
        if a.dtype == dt or (a.dtype.kind == dt.kind and a.dtype.itemsize == dt.itemsize):
            return code
    raise ValueError(f"frame arrays must be float32, float64 or uint8, got {a.dtype}")


def encode_binary(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """One binary websocket frame carrying ``meta`` (JSON) and ``arrays`` (raw bytes)."""
    descr: dict[str, dict] = {}
    chunks: list[bytes] = []
    offset = 0
    for name, a in arrays.items():
        code = _code(a)
        raw = np.ascontiguousarray(a, dtype=_DTYPES[code]).tobytes()
        pad = (-len(raw)) % 8
        descr[name] = {
            "dtype": code,
            "shape": list(a.shape),
            "offset": offset,
            "nbytes": len(raw),
        }
        chunks.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    header = dumps({**meta, "arrays": descr})
    header += b" " * ((-(8 + len(header))) % 8)
    return MAGIC + struct.pack("<I", len(header)) + header + b"".join(chunks)


def decode_binary(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Inverse of encode_binary (used by tests and benchmarks)."""
    if data[:4] != MAGIC:
        raise ValueError("not a playground frame (bad magic)")
    (h,) = struct.unpack("<I", data[4:8])
    meta = orjson.loads(data[8 : 8 + h])
    base = 8 + h
    arrays = {}
    for name, d in meta.pop("arrays", {}).items():
        start = base + d["offset"]
        arrays[name] = np.frombuffer(
            data,
            dtype=_DTYPES[d["dtype"]],
            count=d["nbytes"] // _DTYPES[d["dtype"]].itemsize,
            offset=start,
        ).reshape(d["shape"])
    return meta, arrays


def encode_arrays_b64(arrays: dict[str, np.ndarray]) -> dict[str, dict]:
    """The arrays as JSON-able {"dtype", "shape", "b64"} entries (REST form of a frame)."""
    out = {}
    for name, a in arrays.items():
        code = _code(a)
        raw = np.ascontiguousarray(a, dtype=_DTYPES[code]).tobytes()
        out[name] = {
            "dtype": code,
            "shape": list(a.shape),
            "b64": base64.b64encode(raw).decode("ascii"),
        }
    return out


def decode_arrays_b64(enc: dict[str, dict]) -> dict[str, np.ndarray]:
    return {
        name: np.frombuffer(base64.b64decode(d["b64"]), dtype=_DTYPES[d["dtype"]]).reshape(
            d["shape"]
        )
        for name, d in enc.items()
    }


def quantize_u8(values: np.ndarray, axis_from: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per-row uint8 quantisation: rows of ``values`` (n, ...) -> (q uint8, ranges (n, 2) f4).

    value ≈ lo + q / 255 * (hi - lo); a constant row maps to q = 0.
    """
    v = values.reshape(len(values), -1)
    lo = v.min(axis=1)
    hi = v.max(axis=1)
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.rint((v - lo[:, None]) * (255.0 / span)[:, None]).astype(np.uint8)
    return q.reshape(values.shape), np.stack([lo, hi], axis=1).astype(np.float32)
