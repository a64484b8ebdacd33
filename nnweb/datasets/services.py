"""Dataset service: import (atomic), visibility, loading arrays, previews (who may see a
dataset is read in ``selectors``).

``import_dataset`` validates an upload completely in a private temporary folder;
only a fully valid dataset is moved into ``MEDIA_ROOT/datasets/<folder>/`` and
recorded, in one transaction. Any failure removes what was written, so neither
the disk nor the database keeps a half-imported dataset.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import uuid
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any, BinaryIO

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from PIL import Image

from nnweb.core.jsonable import jsonable
from nnweb.core.permissions import is_instructor

from .importers import DatasetRejected
from .importers.coco import import_coco
from .importers.csv import import_csv
from .importers.image_zip import import_image_zip
from .importers.npz import import_npz
from .limits import Limits, human_bytes
from .models import Dataset

__all__ = [
    "DatasetRejected",
    "import_dataset",
    "import_upload",
    "load_arrays",
    "delete_dataset",
    "set_visibility",
    "update_dataset",
    "preview",
    "sample_png",
]

FORMATS = ("csv", "image_zip", "npz", "coco")
DATASETS_DIR = "datasets"


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _detect_format(filename: str, annotations: Any) -> str:
    ext = Path(filename or "").suffix.lower()
    if annotations is not None:
        return "coco"
    return {".csv": "csv", ".zip": "image_zip", ".npz": "npz"}.get(ext, "")


def _copy_capped(upload: Any, dest: Path, max_bytes: int, what: str) -> int:
    """Stream an upload (Django UploadedFile, file object or path) to ``dest``, capped."""
    if isinstance(upload, str | os.PathLike):
        src: BinaryIO = open(upload, "rb")  # noqa: SIM115
        close = True
    else:
        src, close = upload, False
    size = 0
    try:
        if hasattr(src, "seek"):
            try:
                src.seek(0)
            except (OSError, ValueError):
                pass
        chunks = src.chunks() if hasattr(src, "chunks") else iter(lambda: src.read(1 << 20), b"")
        with open(dest, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise DatasetRejected(
                        f"the file is larger than the limit for {what} ({human_bytes(max_bytes)})"
                    )
                out.write(chunk)
    finally:
        if close:
            src.close()
    return size


def check_request_size(content_length: str | int | None, limits: Limits | None = None) -> None:
    """Refuse a whole request bigger than any acceptable upload before Django reads it."""
    limits = limits or Limits.from_settings()
    try:
        n = int(content_length or 0)
    except (TypeError, ValueError):
        return
    cap = max(limits.archive_max_bytes, limits.csv_max_bytes) + limits.json_max_bytes + (1 << 20)
    if n > cap:
        raise DatasetRejected(
            f"the upload is {human_bytes(n)}; the limit is {human_bytes(limits.archive_max_bytes)}"
            " for archives and .npz files and "
            f"{human_bytes(limits.csv_max_bytes)} for CSV files"
        )


def _filename(upload: Any) -> str:
    if isinstance(upload, str | os.PathLike):
        return os.path.basename(os.fspath(upload))
    return os.path.basename(getattr(upload, "name", "") or "")


def import_dataset(
    owner,
    upload: Any,
    *,
    name: str = "",
    description: str = "",
    fmt: str = "",
    target: str = "",
    task: str = "classification",
    visibility: str = Dataset.Visibility.PRIVATE,
    annotations: Any = None,
    image_size: int | None = None,
    color: str = "auto",
    limits: Limits | None = None,
) -> Dataset:
    """Validate ``upload`` fully, then store it and create the Dataset, atomically.

    Raises DatasetRejected (message names row/column/file/annotation) on bad input and
    PermissionDenied (a 403 through the API's error handler) when ``owner`` is not an instructor.
    """
    if not is_instructor(owner):
        raise PermissionDenied("Only instructors may upload datasets.")
    limits = limits or Limits.from_settings()
    if visibility not in Dataset.Visibility.values:
        raise DatasetRejected(
            f"visibility must be one of {', '.join(Dataset.Visibility.values)}, not {visibility!r}"
        )
    if upload is None:
        raise DatasetRejected("no file was uploaded")
    filename = _filename(upload)
    fmt = fmt or _detect_format(filename, annotations)
    if fmt not in FORMATS:
        raise DatasetRejected(
            f"cannot tell the format of {filename!r}: upload a .csv, a .zip of class folders, "
            "an .npz with x and y, or COCO annotations (.json) with a .zip of images"
        )
    if fmt == "coco" and annotations is None:
        raise DatasetRejected("a COCO dataset needs the annotations file (.json) too")
    name = (name or Path(filename).stem or "dataset").strip()[:120]

    root = media_root() / DATASETS_DIR
    incoming = root / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="import-", dir=incoming))
    final: Path | None = None
    try:
        ext = Path(filename).suffix.lower() or {"csv": ".csv", "npz": ".npz"}.get(fmt, ".zip")
        original = work / f"original{ext}"
        cap = limits.csv_max_bytes if fmt == "csv" else limits.archive_max_bytes
        size = _copy_capped(upload, original, cap, "CSV files" if fmt == "csv" else "archives")
        ann_path = None
        if fmt == "csv":
            result = import_csv(original, target=target, task=task, limits=limits)
        elif fmt == "npz":
            result = import_npz(original, task=task, limits=limits)
        elif fmt == "image_zip":
            result = import_image_zip(
                original, image_size=image_size or 28, color=color, limits=limits
            )
        else:
            ann_path = work / "annotations.json"
            size += _copy_capped(annotations, ann_path, limits.json_max_bytes, "COCO annotations")
            result = import_coco(ann_path, original, image_size=image_size or 64, limits=limits)
        np.savez(work / "arrays.npz", **result.arrays())

        folder = uuid.uuid4().hex
        final = root / folder
        os.replace(work, final)
        rel = f"{DATASETS_DIR}/{folder}"
        with transaction.atomic():
            ds = Dataset.objects.create(
                owner=owner,
                name=name,
                description=description[:5000],
                kind=result.kind,
                task=result.task,
                target=str(result.meta.get("target", target or ""))[:200],
                visibility=visibility,
                folder=folder,
                original_name=filename[:255],
                original=f"{rel}/{original.name}",
                annotations=f"{rel}/annotations.json" if ann_path else "",
                arrays=f"{rel}/arrays.npz",
                size_bytes=size,
                n_samples=int(result.meta.get("n_samples", len(result.X))),
                meta=jsonable(result.meta),
                stats=jsonable(result.stats),
            )
        return ds
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if final is not None:
            shutil.rmtree(final, ignore_errors=True)
        raise


def import_upload(owner, data: dict) -> Dataset:
    """``import_dataset`` with the validated data of ``serializers.UploadSerializer`` (the
    API's upload and the upload page's form alike)."""
    data = dict(data)
    return import_dataset(owner, data.pop("file"), fmt=data.pop("format", ""), **data)


def update_dataset(ds: Dataset, **changes: str) -> Dataset:
    """Set any of ``visibility``, ``name`` and ``description`` in one save (all or nothing)."""
    unknown = sorted(set(changes) - {"visibility", "name", "description"})
    if unknown:
        raise DatasetRejected(f"cannot change {', '.join(unknown)} of a dataset")
    visibility = changes.get("visibility")
    if visibility is not None and visibility not in Dataset.Visibility.values:
        raise DatasetRejected(
            f"visibility must be one of {', '.join(Dataset.Visibility.values)}, not {visibility!r}"
        )
    for field, value in changes.items():
        setattr(ds, field, value)
    if changes:
        ds.save(update_fields=list(changes))
    return ds


def set_visibility(ds: Dataset, visibility: str) -> Dataset:
    return update_dataset(ds, visibility=visibility)


def delete_dataset(ds: Dataset) -> None:
    folder = media_root() / DATASETS_DIR / ds.folder
    with transaction.atomic():
        ds.delete()
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    _cache_drop(str(folder))


# ----------------------------------------------------------------- arrays
_CACHE: OrderedDict[str, tuple[float, dict]] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 4


def _cache_drop(prefix: str) -> None:
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if k.startswith(prefix)]:
            _CACHE.pop(key, None)


def _load_npz(path: str) -> dict[str, np.ndarray]:
    mtime = os.path.getmtime(path)
    with _CACHE_LOCK:
        hit = _CACHE.get(path)
        if hit and hit[0] == mtime:
            _CACHE.move_to_end(path)
            return hit[1]
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    for a in arrays.values():
        a.setflags(write=False)
    with _CACHE_LOCK:
        _CACHE[path] = (mtime, arrays)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return arrays


def load_arrays(ds: Dataset) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """(X, y, meta) of a dataset. X is float64 rows for tabular data, float32 (N, C, H, W)
    for images; y class indices (int64) or targets (float64); None for COCO sets, whose
    instances are in ``meta["instances"]`` (masks, boxes, labels, image_index).
    The arrays are read-only and shared; copy before changing them."""
    arrays = _load_npz(ds.arrays.path)
    meta = dict(ds.meta)
    meta.update(kind=ds.kind, task=ds.task, name=ds.name, dataset_id=ds.pk)
    if ds.kind == Dataset.Kind.INSTANCE_SEGMENTATION:
        meta["instances"] = {k: arrays[k] for k in ("masks", "boxes", "labels", "image_index")}
    return arrays["X"], arrays.get("y"), meta


# ----------------------------------------------------------------- previews
PALETTE = [
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
    (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212),
]  # fmt: skip


def preview(ds: Dataset, per_class: int = 8, n_images: int = 12) -> dict:
    """What the preview page shows: first rows + column stats, or sample images by class,
    or images with their instance masks."""
    out: dict[str, Any] = {
        "id": ds.pk,
        "name": ds.name,
        "kind": ds.kind,
        "task": ds.task,
        "stats": ds.stats,
        "n_samples": ds.n_samples,
    }
    if ds.kind == Dataset.Kind.TABULAR:
        out["columns"] = ds.meta.get("preview", {}).get("columns", [])
        out["rows"] = ds.meta.get("preview", {}).get("rows", [])
        return out
    X, y, meta = load_arrays(ds)
    if ds.kind == Dataset.Kind.IMAGE_CLASSIFICATION:
        groups = []
        for k, cname in enumerate(meta.get("class_names", [])):
            idx = np.flatnonzero(y == k)[:per_class]
            groups.append({"class": cname, "count": int((y == k).sum()), "samples": idx.tolist()})
        out["classes"] = groups
    else:
        inst = meta["instances"]
        images = []
        for i in range(min(n_images, len(X))):
            labels = inst["labels"][inst["image_index"] == i]
            images.append(
                {
                    "index": i,
                    "file": (meta.get("files") or [""] * len(X))[i],
                    "instances": [meta["class_names"][int(lab)] for lab in labels],
                }
            )
        out["images"] = images
        out["class_names"] = meta["class_names"]
    return out


def sample_png(ds: Dataset, index: int, overlay: bool = False, scale: int | None = None) -> bytes:
    """PNG of sample ``index`` (optionally with its instance masks drawn over it)."""
    X, _, meta = load_arrays(ds)
    if ds.kind == Dataset.Kind.TABULAR:
        raise DatasetRejected("tabular datasets have no images")
    if not 0 <= index < len(X):
        raise DatasetRejected(f"sample {index} does not exist (0..{len(X) - 1})")
    img = np.clip(np.asarray(X[index], dtype=np.float32), 0.0, 1.0)
    rgb = np.repeat(img, 3, axis=0) if img.shape[0] == 1 else img[:3]
    rgb = (rgb.transpose(1, 2, 0) * 255).astype(np.float32)
    if overlay and ds.kind == Dataset.Kind.INSTANCE_SEGMENTATION:
        inst = meta["instances"]
        for k in np.flatnonzero(inst["image_index"] == index):
            m = inst["masks"][k].astype(bool)
            color = np.array(PALETTE[int(inst["labels"][k]) % len(PALETTE)], dtype=np.float32)
            rgb[m] = 0.45 * rgb[m] + 0.55 * color
            # outline: mask pixels with a non-mask 4-neighbour
            edge = m & ~(
                np.roll(m, 1, 0) & np.roll(m, -1, 0) & np.roll(m, 1, 1) & np.roll(m, -1, 1)
            )
            rgb[edge] = color
    im = Image.fromarray(rgb.astype(np.uint8))
    side = max(im.size)
    scale = scale or max(1, min(8, 128 // max(side, 1)))
    if scale > 1:
        im = im.resize((im.size[0] * scale, im.size[1] * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()
