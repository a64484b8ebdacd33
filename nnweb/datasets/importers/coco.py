"""Instance segmentation: COCO annotations JSON plus a zip of the images.

Polygons and RLE masks are decoded with pycocotools, but only after their
numbers have been checked here: pycocotools' C decoder trusts the run lengths,
so a run-length total that differs from height × width is refused first.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import warnings
from typing import Any, BinaryIO

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from ..limits import Limits, human_bytes
from . import DatasetRejected, ImportResult
from .csv import read_limited
from .images import open_image, to_mode
from .safezip import SafeZip


def _check_bbox(bbox: Any, image: dict, where: str) -> None:
    """COCO's [x, y, width, height]: optional (boxes come from the masks), but checked when given:
    four finite numbers, no negative corner or size, inside the image."""
    if (
        not isinstance(bbox, list)
        or len(bbox) != 4
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bbox)
        or not all(math.isfinite(v) for v in bbox)
    ):
        raise DatasetRejected(
            f"bbox must be [x, y, width, height] numbers, not {bbox!r}", where=where
        )
    x, y, w, h = bbox
    if x < 0 or y < 0 or w < 0 or h < 0:
        raise DatasetRejected(f"bbox {bbox} has a negative corner or size", where=where)
    if x + w > image["width"] or y + h > image["height"]:
        raise DatasetRejected(
            f"bbox {bbox} reaches outside the {image['width']}×{image['height']} image",
            where=where,
        )


def decode_rle_string(counts: str) -> list[int]:
    """Run lengths of COCO's compressed RLE string (5 bits a character, deltas after 2)."""
    out: list[int] = []
    p = 0
    n = len(counts)
    while p < n:
        x = 0
        k = 0
        more = True
        while more:
            if p >= n:
                raise ValueError("the counts string ends in the middle of a number")
            c = ord(counts[p]) - 48
            if not 0 <= c < 64:
                raise ValueError(f"character {counts[p]!r} cannot appear in compressed counts")
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(out) > 2:
            x += out[-2]
        out.append(x)
    return out


def _need(obj: Any, key: str, kind: type | tuple, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise DatasetRejected(f"the field {key!r} is missing", where=where)
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise DatasetRejected(f"{key!r} must be {names}, not {value!r:.40}", where=where)
    return value


def _decode_segmentation(seg: Any, h: int, w: int, where: str) -> np.ndarray:
    """The (h, w) uint8 mask of one annotation's segmentation."""
    with warnings.catch_warnings():
        # pycocotools' NumPy 2 copy-keyword deprecation notice is not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _decode(seg, h, w, where)


def _decode(seg: Any, h: int, w: int, where: str) -> np.ndarray:
    if isinstance(seg, list):
        if not seg:
            raise DatasetRejected("segmentation is an empty list", where=where)
        polys = []
        for k, poly in enumerate(seg):
            if not isinstance(poly, list) or len(poly) < 6 or len(poly) % 2:
                raise DatasetRejected(
                    f"polygon {k + 1} must be a flat list of at least 3 x,y pairs",
                    where=where,
                )
            pts = []
            for v in poly:
                if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                    raise DatasetRejected(
                        f"polygon {k + 1} holds {v!r:.20}, not a finite number", where=where
                    )
                pts.append(float(v))
            xs, ys = pts[0::2], pts[1::2]
            if min(xs) < -1 or max(xs) > w + 1 or min(ys) < -1 or max(ys) > h + 1:
                raise DatasetRejected(
                    f"polygon {k + 1} has points outside the {w}×{h} image", where=where
                )
            polys.append(pts)
        try:
            rles = mask_utils.frPyObjects(polys, h, w)
            m = mask_utils.decode(mask_utils.merge(rles))
        except Exception as err:  # pragma: no cover - guarded by the checks above
            raise DatasetRejected(f"bad polygon ({err})", where=where) from None
    elif isinstance(seg, dict):
        size = seg.get("size")
        counts = seg.get("counts")
        if (
            not isinstance(size, list)
            or len(size) != 2
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in size)
        ):
            raise DatasetRejected("RLE needs 'size': [height, width]", where=where)
        if size != [h, w]:
            raise DatasetRejected(
                f"RLE size {size} does not match the image's [height, width] = [{h}, {w}]",
                where=where,
            )
        if isinstance(counts, list):
            if not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
                raise DatasetRejected("RLE counts must be whole numbers", where=where)
            runs = counts
        elif isinstance(counts, str):
            try:
                runs = decode_rle_string(counts)
            except ValueError as err:
                raise DatasetRejected(f"bad compressed RLE: {err}", where=where) from None
        else:
            raise DatasetRejected("RLE 'counts' must be a list or a string", where=where)
        if any(c < 0 for c in runs):
            raise DatasetRejected("RLE holds a negative run length", where=where)
        if sum(runs) != h * w:
            raise DatasetRejected(
                f"RLE run lengths add up to {sum(runs)}, not height × width = {h * w}",
                where=where,
            )
        rle = (
            mask_utils.frPyObjects(seg, h, w)
            if isinstance(counts, list)
            else {"size": size, "counts": counts.encode("ascii")}
        )
        m = mask_utils.decode(rle)
    else:
        raise DatasetRejected(
            "segmentation must be a list of polygons or an RLE object", where=where
        )
    if m.ndim == 3:
        m = m[..., 0]
    return np.ascontiguousarray(m, dtype=np.uint8)


def import_coco(
    annotations: str | os.PathLike | BinaryIO,
    images: str | os.PathLike | BinaryIO,
    *,
    image_size: int = 128,
    limits: Limits | None = None,
) -> ImportResult:
    """Check every image, category and annotation; return images resized to ``image_size``².

    ``X`` is (N, 3, S, S) float32; the instances live in ``extra`` arrays of the
    result's meta: ``masks`` (K, S, S) uint8, ``boxes`` (K, 4) float32 as x1, y1, x2,
    y2 in resized pixels, ``labels`` (K,) indices into ``class_names`` and
    ``image_index`` (K,) telling which image each instance belongs to.
    """
    limits = limits or Limits()
    try:
        image_size = int(image_size)
    except (TypeError, ValueError):
        raise DatasetRejected(f"image size must be a whole number, not {image_size!r}") from None
    if not 16 <= image_size <= limits.max_image_side:
        raise DatasetRejected(f"image size must be between 16 and {limits.max_image_side} pixels")
    raw = read_limited(annotations, limits.json_max_bytes, "COCO annotation files")
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as err:
        raise DatasetRejected(f"the annotations file is not valid JSON ({err})") from None
    except RecursionError:
        raise DatasetRejected("the annotations file nests arrays/objects too deeply") from None
    if not isinstance(doc, dict):
        raise DatasetRejected("the annotations file must hold a JSON object (COCO format)")
    where = "annotations file"
    cats = _need(doc, "categories", list, where)
    imgs = _need(doc, "images", list, where)
    anns = _need(doc, "annotations", list, where)
    if not cats:
        raise DatasetRejected("'categories' is empty", where=where)
    if not imgs:
        raise DatasetRejected("'images' is empty", where=where)
    if len(imgs) > limits.max_images:
        raise DatasetRejected(f"{len(imgs)} images; the limit is {limits.max_images}")
    if len(anns) > limits.max_annotations:
        raise DatasetRejected(f"{len(anns)} annotations; the limit is {limits.max_annotations}")

    cat_index: dict[int, int] = {}
    class_names: list[str] = []
    for k, cat in enumerate(cats):
        w_ = f"category #{k + 1}"
        cid = _need(cat, "id", int, w_)
        name = _need(cat, "name", str, f"category {cid}")
        if cid in cat_index:
            raise DatasetRejected("the id appears twice", where=f"category {cid}")
        cat_index[cid] = len(class_names)
        class_names.append(name)

    need = len(imgs) * 3 * image_size * image_size * 4 + len(anns) * image_size * image_size
    if need > limits.max_array_bytes:
        raise DatasetRejected(
            f"{len(imgs)} images at {image_size}×{image_size} would need {human_bytes(need)}; "
            f"the limit is {human_bytes(limits.max_array_bytes)} (choose a smaller image size)"
        )

    image_meta: dict[int, dict] = {}
    for k, img in enumerate(imgs):
        w_ = f"image #{k + 1}"
        iid = _need(img, "id", int, w_)
        w_ = f"image {iid}"
        if iid in image_meta:
            raise DatasetRejected("the id appears twice", where=w_)
        fname = _need(img, "file_name", str, w_)
        width = _need(img, "width", int, w_)
        height = _need(img, "height", int, w_)
        if width <= 0 or height <= 0:
            raise DatasetRejected(f"width and height must be positive ({width}×{height})", where=w_)
        image_meta[iid] = {"file_name": fname, "width": width, "height": height, "pos": k}

    per_image: dict[int, list[tuple[int, Any, int]]] = {iid: [] for iid in image_meta}
    seen_ann: set[int] = set()
    for k, ann in enumerate(anns):
        aid = _need(ann, "id", int, f"annotation #{k + 1}")
        w_ = f"annotation {aid}"
        if aid in seen_ann:
            raise DatasetRejected("the id appears twice", where=w_)
        seen_ann.add(aid)
        iid = _need(ann, "image_id", int, w_)
        if iid not in image_meta:
            raise DatasetRejected(f"image_id {iid} is not among the images", where=w_)
        cid = _need(ann, "category_id", int, w_)
        if cid not in cat_index:
            raise DatasetRejected(f"category_id {cid} is not among the categories", where=w_)
        if "segmentation" not in ann:
            raise DatasetRejected("the field 'segmentation' is missing", where=w_)
        if "bbox" in ann:
            _check_bbox(ann["bbox"], image_meta[iid], w_)
        per_image[iid].append((aid, ann["segmentation"], cat_index[cid]))

    X = np.empty((len(imgs), 3, image_size, image_size), dtype=np.float32)
    masks: list[np.ndarray] = []
    boxes: list[list[float]] = []
    labels: list[int] = []
    owners: list[int] = []
    ann_ids: list[int] = []
    with SafeZip(images, limits) as zf:
        files = zf.files()
        by_base: dict[str, list[str]] = {}
        for f in files:
            by_base.setdefault(posixpath.basename(f), []).append(f)
        for iid, info in image_meta.items():
            w_ = f"image {iid} ({info['file_name']!r})"
            fname = posixpath.normpath(info["file_name"]) if info["file_name"] else ""
            entry = fname if fname in zf.entries else None
            if entry is None:
                cands = by_base.get(posixpath.basename(fname), [])
                if len(cands) == 1:
                    entry = cands[0]
                elif len(cands) > 1:
                    raise DatasetRejected(
                        "several files in the archive have this name; give its folder",
                        where=w_,
                    )
            if entry is None:
                raise DatasetRejected("the file is not in the images archive", where=w_)
            im = open_image(zf.read(entry), w_, limits)
            if im.size != (info["width"], info["height"]):
                raise DatasetRejected(
                    f"the file is {im.size[0]}×{im.size[1]} but the annotations say "
                    f"{info['width']}×{info['height']}",
                    where=w_,
                )
            h, w = info["height"], info["width"]
            im = to_mode(im, 3).resize((image_size, image_size), Image.Resampling.BILINEAR)
            X[info["pos"]] = np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0
            sx, sy = image_size / w, image_size / h
            for aid, seg, label in per_image[iid]:
                aw = f"annotation {aid}"
                m = _decode_segmentation(seg, h, w, aw)
                if not m.any():
                    raise DatasetRejected("its mask is empty (no pixels)", where=aw)
                ys, xs = np.nonzero(m)
                box = [xs.min() * sx, ys.min() * sy, (xs.max() + 1) * sx, (ys.max() + 1) * sy]
                small = Image.fromarray(m * 255).resize(
                    (image_size, image_size), Image.Resampling.NEAREST
                )
                masks.append((np.asarray(small) > 127).astype(np.uint8))
                boxes.append([float(v) for v in box])
                labels.append(label)
                owners.append(info["pos"])
                ann_ids.append(aid)

    K = len(masks)
    extra = {
        "masks": np.stack(masks) if K else np.zeros((0, image_size, image_size), np.uint8),
        "boxes": np.asarray(boxes, dtype=np.float32).reshape(K, 4),
        "labels": np.asarray(labels, dtype=np.int64),
        "image_index": np.asarray(owners, dtype=np.int64),
    }
    counts = np.bincount(extra["labels"], minlength=len(class_names))
    meta = {
        "class_names": class_names,
        "category_ids": list(cat_index),
        "image_shape": [3, image_size, image_size],
        "n_samples": len(imgs),
        "n_instances": K,
        "files": [info["file_name"] for info in image_meta.values()],
        "image_ids": list(image_meta),
        "annotation_ids": ann_ids,
    }
    stats = {
        "instances_per_class": {n: int(c) for n, c in zip(class_names, counts)},
        "images": len(imgs),
        "instances": K,
        "images_without_instances": int(sum(1 for v in per_image.values() if not v)),
    }
    return ImportResult(
        kind="instance_segmentation",
        task="instance_segmentation",
        X=X,
        y=None,
        meta=meta,
        stats=stats,
        extra=extra,
    )
