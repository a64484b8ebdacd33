"""Service objects of the segmentation app: views and consumers stay thin and call these.

The demo runs an instance-segmentation ONNX model (nnweb's own Mask R-CNN, or any model of
task ``instance_segmentation`` in the model zoo) through the serving layer
:mod:`engine.runtime` on one image:

1. ``decode_image``: the upload must be PNG or JPEG by its magic bytes, at most 5 MB and
   4096 x 4096 pixels; Pillow's decompression-bomb guard is on. Anything else is an
   :class:`ImageRejected` with a message for the user (a 400 in the API).
2. ``to_model_input``: the image is scaled to fit the model's 128 x 128 input keeping its
   aspect ratio (a 128 x 128 image is passed unchanged) and padded right/bottom with its
   border colour; RGB in [0, 1], float32 (1, 3, 128, 128).
3. The model gives torchvision-style ``boxes`` (K, 4), ``labels`` (K,), ``scores`` (K,) and
   ``masks`` (K, 1, 128, 128) probabilities.
4. ``SegmentationResult``: boxes scaled back to the uploaded image's pixels, masks cropped
   to the image part of the input, resized to ``mask_size`` (the image size, at most 512 on
   the long side), thresholded at 0.5 and run-length encoded, with the latency and the
   execution provider (CUDA or CPU) that served the request.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from PIL import Image, ImageOps

from engine import runtime
from engine.onnx.ops import SERVABLE_OPS
from engine.onnx.validate import Limits
from nnweb.datasets import images

from .masks import encode_mask
from .selectors import ModelChoice, ModelUnavailable, get_model

logger = logging.getLogger(__name__)

# NNWEB_MAX_SEGMENT_IMAGE_BYTES (5 MiB by default), read once: limits come from the environment.
MAX_UPLOAD_BYTES = settings.NNWEB_LIMITS.get("MAX_SEGMENT_IMAGE_BYTES", 5 * 1024 * 1024)
MAX_SIDE = 4096
MAX_PIXELS = MAX_SIDE * MAX_SIDE
MODEL_SIZE = 128  # the shipped model is trained on 128 x 128 images
MAX_MASK_SIDE = 512
MASK_THRESHOLD = 0.5
TASK = "instance_segmentation"
DEFAULT_CLASSES = ["background", "square", "circle", "triangle"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

SAMPLE_SEEDS = (11, 23, 37, 41, 58, 64)

# nnweb's Mask R-CNN export builds its anchors from the feature-map shape (Range,
# ConstantOfShape, Expand) and pastes masks with GridSample / GatherElements: operators the
# general allow-list leaves out because a hostile file could size tensors from data. Here the
# input is always one 128 x 128 image made by this service, so the sizes they produce are
# bounded by the model's own fixed top-k / NMS limits; every other check still applies.
DETECTION_OPS = frozenset({"Range", "ConstantOfShape", "Expand", "GatherElements", "GridSample"})
SEGMENTATION_LIMITS = Limits(allowed_ops=SERVABLE_OPS | DETECTION_OPS)
MAX_SEED = 2**31 - 1


class ImageRejected(ValueError):
    """The uploaded image cannot be used; the message says why (shown to the user)."""


# --------------------------------------------------------------------------- images


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def sniff_format(data: bytes) -> str | None:
    """'PNG' or 'JPEG' from the first bytes, None for anything else."""
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def decode_image(data: bytes, name: str = "image") -> Image.Image:
    """Validate and decode an uploaded PNG or JPEG into an RGB Pillow image.

    Raises :class:`ImageRejected` naming ``name`` and what is wrong.
    """
    if not data:
        raise ImageRejected(f"{name}: the file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected(
            f"{name}: the file is {_mb(len(data))}; images may be at most {_mb(MAX_UPLOAD_BYTES)}."
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise ImageRejected(
            f"{name}: only PNG and JPEG images are accepted (the file does not start with "
            "a PNG or JPEG signature)."
        )
    try:
        img = images.decode_image(
            data, name, max_pixels=MAX_PIXELS, max_side=MAX_SIDE, formats=[fmt]
        )
    except images.ImageUnreadable as err:
        raise ImageRejected(f"{err}.") from None
    return images.to_mode(ImageOps.exif_transpose(img), 3)


def decode_upload(upload: Any, name: str = "image") -> Image.Image:
    """An uploaded file (Django UploadedFile) through ``decode_image``.

    The size is checked before the file is read, so an oversized upload is refused without
    holding it in memory.
    """
    label = f"{name} ({upload.name})"
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImageRejected(
            f"{name}: the file {upload.name!r} is {_mb(upload.size)}; images may be at most "
            f"{_mb(MAX_UPLOAD_BYTES)}."
        )
    return decode_image(upload.read(), label)


def decode_base64_image(text: str, name: str = "image_base64") -> Image.Image:
    """A ``data:image/png;base64,...`` URL (a canvas) or bare base64, then ``decode_image``."""
    if not isinstance(text, str) or not text.strip():
        raise ImageRejected(f"{name}: expected a base64 PNG/JPEG or a data: URL.")
    text = text.strip()
    if text.startswith("data:"):
        head, _, text = text.partition(",")
        if ";base64" not in head:
            raise ImageRejected(f"{name}: the data: URL must be base64 encoded.")
    # base64 grows data by 4/3: refuse early what cannot fit the byte limit
    if len(text) > (MAX_UPLOAD_BYTES * 4) // 3 + 8:
        raise ImageRejected(
            f"{name}: the encoded image is larger than {_mb(MAX_UPLOAD_BYTES)} once decoded."
        )
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImageRejected(f"{name}: not valid base64.") from None
    return decode_image(data, name)


@dataclass
class ModelInput:
    """The model's input tensor and how it maps back to the uploaded image."""

    x: np.ndarray  # float32 (1, 3, size, size)
    scale: float  # model pixels per image pixel
    content: tuple[int, int]  # (h, w) of the image inside the padded input
    image_size: tuple[int, int]  # (h, w) of the uploaded image


def to_model_input(img: Image.Image, size: int = MODEL_SIZE) -> ModelInput:
    """Fit ``img`` into a ``size`` x ``size`` input (aspect kept, padded right/bottom)."""
    w, h = img.size
    scale = size / max(w, h)
    cw, ch = max(1, min(size, round(w * scale))), max(1, min(size, round(h * scale)))
    resized = img if (cw, ch) == (w, h) else img.resize((cw, ch), Image.Resampling.BILINEAR)
    arr = np.asarray(resized, dtype=np.float32) / 255.0  # (ch, cw, 3)
    if (cw, ch) != (size, size):
        border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]], axis=0)
        fill = np.median(border, axis=0)
        canvas = np.empty((size, size, 3), dtype=np.float32)
        canvas[:] = fill
        canvas[:ch, :cw] = arr
        arr = canvas
    x = np.ascontiguousarray(arr.transpose(2, 0, 1)[None])
    return ModelInput(x=x, scale=scale, content=(ch, cw), image_size=(h, w))


def mask_size_for(h: int, w: int) -> tuple[int, int]:
    """The size masks are returned at: the image's, shrunk to at most 512 on the long side."""
    s = min(1.0, MAX_MASK_SIDE / max(h, w))
    return max(1, round(h * s)), max(1, round(w * s))


# --------------------------------------------------------------------------- models


def model_classes(session: runtime.ModelSession) -> list[str]:
    raw = session.metadata.get("classes")
    if raw:
        try:
            classes = json.loads(raw)
            if isinstance(classes, list) and all(isinstance(c, str) for c in classes):
                return classes
        except ValueError:
            logger.warning("segmentation: a model's 'classes' metadata is not JSON; using defaults")
    return list(DEFAULT_CLASSES)


def provider_label(provider: str) -> str:
    """'CUDA' or 'CPU' (or the provider's name without 'ExecutionProvider')."""
    return provider.removesuffix("ExecutionProvider")


# --------------------------------------------------------------------------- running


@dataclass
class SegmentationResult:
    model: ModelChoice
    classes: list[str]
    image_size: tuple[int, int]
    mask_size: tuple[int, int]
    boxes: np.ndarray  # (K, 4) image pixels
    labels: np.ndarray  # (K,)
    scores: np.ndarray  # (K,)
    masks: list[dict[str, Any]]  # RLE at mask_size
    provider: str
    latency_ms: float
    total_ms: float

    def as_dict(self) -> dict[str, Any]:
        h, w = self.image_size
        return {
            "model": self.model.public(),
            "classes": self.classes,
            "image": {"width": w, "height": h},
            "input_size": [MODEL_SIZE, MODEL_SIZE],
            "mask_size": list(self.mask_size),
            "mask_threshold": MASK_THRESHOLD,
            "count": int(self.labels.shape[0]),
            "boxes": [[round(float(v), 2) for v in b] for b in self.boxes],
            "labels": [int(v) for v in self.labels],
            "names": [
                self.classes[int(v)] if 0 <= int(v) < len(self.classes) else str(int(v))
                for v in self.labels
            ],
            "scores": [round(float(v), 4) for v in self.scores],
            "masks": self.masks,
            "provider": self.provider,
            "device": provider_label(self.provider),
            "latency_ms": round(self.latency_ms, 2),
            "total_ms": round(self.total_ms, 2),
        }


def _outputs(result: runtime.InferenceResult) -> tuple[np.ndarray, ...]:
    out = result.outputs
    missing = [k for k in ("boxes", "labels", "scores", "masks") if k not in out]
    if missing:
        raise ModelUnavailable(
            f"the model does not produce {missing}; an instance-segmentation model must "
            "output boxes, labels, scores and masks"
        )
    boxes = np.asarray(out["boxes"], dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(out["labels"]).reshape(-1).astype(np.int64)
    scores = np.asarray(out["scores"], dtype=np.float64).reshape(-1)
    masks = np.asarray(out["masks"], dtype=np.float32)
    K = boxes.shape[0]
    if masks.ndim == 4:
        masks = masks[:, 0]
    if labels.shape[0] != K or scores.shape[0] != K or masks.shape[0] != K:
        raise ModelUnavailable(
            f"the model's outputs disagree: boxes {boxes.shape}, labels {labels.shape}, "
            f"scores {scores.shape}, masks {masks.shape}"
        )
    return boxes, labels, scores, masks


_run_lock = threading.BoundedSemaphore(4)  # at most 4 runs at once per process


def segment(
    img: Image.Image,
    model_id: str | None = None,
    user: Any = None,
    score_threshold: float = 0.0,
) -> SegmentationResult:
    """Run the chosen model on ``img`` and map its detections back onto the image."""
    t0 = time.perf_counter()
    model = get_model(model_id, user)
    try:
        session = runtime.get_session(model.path, limits=SEGMENTATION_LIMITS)
    except ValueError as exc:
        raise ModelUnavailable(f"model {model.id!r} cannot be served: {exc}") from None
    inp = to_model_input(img)
    with _run_lock:
        try:
            result = session.run({session.input_names[0]: inp.x})
        except ValueError as exc:
            raise ModelUnavailable(f"model {model.id!r} failed on this image: {exc}") from None
    boxes, labels, scores, masks = _outputs(result)
    keep = scores >= score_threshold
    boxes, labels, scores, masks = boxes[keep], labels[keep], scores[keep], masks[keep]

    h, w = inp.image_size
    ch, cw = inp.content
    boxes = boxes / inp.scale
    boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, w)
    boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, h)
    mh, mw = mask_size_for(h, w)
    rles = []
    for m in masks:
        m = m[:ch, :cw]
        if (ch, cw) != (mh, mw):
            m = np.asarray(
                Image.fromarray(np.ascontiguousarray(m), mode="F").resize(
                    (mw, mh), Image.Resampling.BILINEAR
                )
            )
        rles.append(encode_mask(m >= MASK_THRESHOLD))
    return SegmentationResult(
        model=model,
        classes=model_classes(session),
        image_size=(h, w),
        mask_size=(mh, mw),
        boxes=boxes,
        labels=labels,
        scores=scores,
        masks=rles,
        provider=result.provider,
        latency_ms=result.latency_ms,
        total_ms=(time.perf_counter() - t0) * 1000.0,
    )


# --------------------------------------------------------------------------- sample images


def _png_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def generate_shapes(seed: int) -> tuple[bytes, list[dict[str, Any]]]:
    """A 128 x 128 shapes image (PNG bytes) from ``seed`` and its true objects."""
    # Deferred, like nnweb.training.detection: the detection engine (the whole Mask R-CNN
    # package) loads only when a shapes image is asked for.
    from engine.detection.shapes import CLASSES, generate_image

    image, instances = generate_image(np.random.default_rng(int(seed)))
    truth = [
        {
            "label": int(inst.label),
            "name": CLASSES[int(inst.label)],
            "box": [float(v) for v in inst.box],
        }
        for inst in instances
    ]
    return _png_bytes(image), truth


@lru_cache(maxsize=len(SAMPLE_SEEDS))
def sample_png(index: int) -> bytes:
    return generate_shapes(SAMPLE_SEEDS[index])[0]


def samples() -> list[dict[str, Any]]:
    """The fixed sample images (generated from fixed seeds)."""
    return [{"id": i, "name": f"Shapes #{i + 1}", "seed": s} for i, s in enumerate(SAMPLE_SEEDS)]


def sample_image(index: int) -> Image.Image:
    if not 0 <= index < len(SAMPLE_SEEDS):
        raise ImageRejected(
            f"sample: there is no sample {index}; use 0 to {len(SAMPLE_SEEDS) - 1}."
        )
    return Image.open(io.BytesIO(sample_png(index))).convert("RGB")


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
