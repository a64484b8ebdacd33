"""Service objects of the modelzoo app: views and consumers stay thin and call these (who may
see which model is read in ``selectors``: ``visible_models``, the one queryset every reader goes
through).

- :func:`publish_model` — the training app publishes a trained engine network (or a Mask R-CNN,
  or ready ONNX bytes): ONNX export + engine checkpoint + the record, atomically.
- :func:`upload_model` — an instructor's .onnx upload, validated by ``engine.onnx.validate``
  before anything is stored; a refusal raises :class:`ModelRejected` with the validator's message.
- :func:`session_for` — the cached onnxruntime session (``engine.runtime``) serving a model.
- :func:`load_network` — the engine network of a loadable model (playground).
- :func:`segmentation_models` — instance-segmentation models for the segmentation demo.
- :func:`set_visibility` — the owner or an instructor changes who sees a model; only
  instructors may open a model to students or to everyone.

Files live under ``MEDIA_ROOT/modelzoo/<folder>/`` (``model.onnx``, ``checkpoint.npz``). They
are written into a temporary folder first and moved into place just before the database row
is created in a transaction; any failure removes them, so nothing is left half-written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import onnx
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from engine import runtime
from engine.onnx import Limits, LoadedModel, ModelRejected, load_model, read_metadata, validate
from engine.onnx import export as onnx_export
from nnweb.core.jsonable import jsonable
from nnweb.core.permissions import is_instructor

from .models import TrainedModel
from .selectors import allowed_visibilities, can_manage, visible_models

__all__ = [
    "ModelRejected",
    "delete_model",
    "load_network",
    "onnx_filename",
    "onnx_limits",
    "publish_model",
    "segmentation_models",
    "session_for",
    "set_visibility",
    "upload_model",
]

MODELZOO_DIR = "modelzoo"
SEGMENTATION_OUTPUTS = ("boxes", "labels", "scores", "masks")
TASK_ALIASES = {
    "segmentation": TrainedModel.Task.INSTANCE_SEGMENTATION,
    "detection": TrainedModel.Task.INSTANCE_SEGMENTATION,
    "instance-segmentation": TrainedModel.Task.INSTANCE_SEGMENTATION,
}


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def onnx_limits() -> Limits:
    """Validator limits; the file size follows NNWEB_LIMITS["MAX_MODEL_BYTES"] (50 MB)."""
    limits = getattr(settings, "NNWEB_LIMITS", {}) or {}
    return Limits(max_bytes=int(limits.get("MAX_MODEL_BYTES", 50 * 1024 * 1024)))


def normalise_visibility(visibility: str) -> str:
    value = str(visibility or "").strip().lower()
    if value not in TrainedModel.Visibility.values:
        raise ModelRejected(
            f"visibility: must be one of {', '.join(TrainedModel.Visibility.values)}, "
            f"not {visibility!r}"
        )
    return value


def normalise_task(task: str) -> str:
    task = str(task or "").strip().lower()
    task = TASK_ALIASES.get(task, task)
    if task not in TrainedModel.Task.values:
        raise ModelRejected(
            f"task: must be one of {', '.join(TrainedModel.Task.values)}, not {task!r}"
        )
    return task


# --- describing an ONNX model -----------------------------------------------------------------
def _input_shape(model: onnx.ModelProto) -> list:
    inits = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    if not inputs:
        return []
    t = inputs[0].type.tensor_type
    dims = []
    for d in t.shape.dim[1:]:
        dims.append(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None)
    return dims


def _class_names(meta: dict) -> list[str]:
    for key in ("class_names", "classes"):
        raw = meta.get(key)
        if raw:
            try:
                names = json.loads(raw)
            except ValueError:
                continue
            if isinstance(names, list):
                return [str(n) for n in names][:1000]
    return []


def describe(model: onnx.ModelProto, task: str) -> dict:
    """What the record stores about an (already validated) ONNX model."""
    meta = read_metadata(model)
    info: dict[str, Any] = {
        "class_names": _class_names(meta),
        "input_shape": _input_shape(model),
        "input_layout": meta.get("input_layout", ""),
        "loadable": False,
        "load_error": "",
        "spec": {},
    }
    if not info["input_layout"]:
        info["input_layout"] = (
            "ND"
            if len(info["input_shape"]) == 1
            else ("NCHW" if len(info["input_shape"]) == 3 else "")
        )
    if task == TrainedModel.Task.INSTANCE_SEGMENTATION:
        info["load_error"] = "instance-segmentation models run in the segmentation demo"
        return info
    try:
        loaded = load_model(model)
    except ModelRejected as exc:
        info["load_error"] = str(exc)[:2000]
    else:
        info["loadable"] = True
        info["spec"] = loaded.net.spec()
        if not info["class_names"] and loaded.class_names:
            info["class_names"] = loaded.class_names
    return info


def _check_task_outputs(model: onnx.ModelProto, task: str) -> None:
    if task == TrainedModel.Task.INSTANCE_SEGMENTATION:
        names = {o.name for o in model.graph.output}
        missing = [n for n in SEGMENTATION_OUTPUTS if n not in names]
        if missing:
            raise ModelRejected(
                f"an instance-segmentation model must have outputs {list(SEGMENTATION_OUTPUTS)}; "
                f"this one lacks {missing} (it has {sorted(names)})"
            )


# --- storing ---------------------------------------------------------------------------------
def _workdir() -> Path:
    incoming = media_root() / MODELZOO_DIR / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="model-", dir=incoming))


def _store(work: Path, **fields) -> TrainedModel:
    """Move ``work`` into its final folder and create the record; undo both on failure."""
    folder = uuid.uuid4().hex
    final = media_root() / MODELZOO_DIR / folder
    rel = f"{MODELZOO_DIR}/{folder}"
    try:
        os.replace(work, final)
        ckpt = f"{rel}/checkpoint.npz" if (final / "checkpoint.npz").exists() else ""
        size = sum(p.stat().st_size for p in final.iterdir())
        with transaction.atomic():
            return TrainedModel.objects.create(
                folder=folder,
                onnx=f"{rel}/model.onnx",
                checkpoint=ckpt,
                size_bytes=size,
                **fields,
            )
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise


def _clean_name(name: str, fallback: str) -> str:
    name = " ".join(str(name or "").split())[:120]
    return name or fallback


def publish_model(
    owner,
    name: str,
    task: str,
    net,
    metrics: dict | None,
    class_names=None,
    *,
    description: str = "",
    input_shape=None,
    visibility: str = TrainedModel.Visibility.PRIVATE,
) -> TrainedModel:
    """Export ``net`` to ONNX, save its engine checkpoint and create the record, atomically.

    ``net`` is an engine ``Sequential`` (checkpoint = ``net.save``: .npz with the spec), an
    ``engine.detection`` Mask R-CNN (exported by its own ONNX builder), or an ONNX
    ``ModelProto``/bytes. ``input_shape`` is the per-sample shape (e.g. ``(1, 28, 28)``);
    without it conv nets get dynamic H, W. ``visibility`` is who sees the record (see
    :func:`visible_models`); it defaults to "private" (owner and instructors), the safe choice,
    so a caller must ask for "students" or "public" explicitly. The training app passes
    "private" for a run's output too, so a run on a private dataset or a student's run is not
    shown to anyone else until its owner or an instructor says so. Raises
    ModelRejected/ValueError on bad input.
    """
    task = normalise_task(task)
    visibility = normalise_visibility(visibility)
    name = _clean_name(name, "model")
    work = _workdir()
    try:
        onnx_path = work / "model.onnx"
        spec: dict = {}
        if isinstance(net, onnx.ModelProto | bytes | bytearray):
            data = net.SerializeToString() if isinstance(net, onnx.ModelProto) else bytes(net)
            onnx_path.write_bytes(data)
        elif type(net).__name__ == "MaskRCNN" and hasattr(net, "params"):
            # Deferred: the detection engine loads only when a Mask R-CNN is published.
            from engine.detection.onnx_export import build_graph

            onnx_path.write_bytes(build_graph(net).SerializeToString())
            net.save(work / "checkpoint.npz")
        elif hasattr(net, "spec") and hasattr(net, "layers"):
            if class_names is not None:
                class_names = [str(c) for c in class_names]
            onnx_export(
                net,
                onnx_path,
                class_names=class_names or None,
                input_shape=input_shape,
                metadata={"name": name, "task": task},
            )
            net.save(work / "checkpoint.npz")
            spec = net.spec()
        else:
            raise ModelRejected(
                f"publish_model: cannot export a {type(net).__name__}; pass an engine "
                "Sequential, a Mask R-CNN or ONNX bytes"
            )
        model = validate(onnx_path, onnx_limits())
        _check_task_outputs(model, task)
        info = describe(model, task)
        if spec:
            info["spec"] = spec
        if class_names and not info["class_names"]:
            info["class_names"] = [str(c) for c in class_names]
        return _store(
            work,
            owner=owner,
            name=name,
            description=str(description or "")[:5000],
            task=task,
            source=TrainedModel.Source.TRAINED,
            visibility=visibility,
            metrics=jsonable(metrics or {}),
            **info,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)  # gone already when _store moved it


def _read_capped(upload: Any, max_bytes: int) -> bytes:
    """The upload's bytes, refusing (without reading on) anything over ``max_bytes``."""
    size = getattr(upload, "size", None)
    label = getattr(upload, "name", None) or "upload"
    if size is not None and size > max_bytes:
        raise ModelRejected(f"{label}: {size} bytes is over the size limit of {max_bytes} bytes")
    chunks, total = [], 0
    if hasattr(upload, "chunks"):
        it = upload.chunks()
    else:
        it = iter(lambda: upload.read(1 << 20), b"")
    for chunk in it:
        total += len(chunk)
        if total > max_bytes:
            raise ModelRejected(f"{label}: over the size limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def upload_model(
    owner,
    upload: Any,
    *,
    name: str = "",
    task: str = TrainedModel.Task.CLASSIFICATION,
    description: str = "",
    limits: Limits | None = None,
    visibility: str = TrainedModel.Visibility.PUBLIC,
) -> TrainedModel:
    """Validate an uploaded .onnx with ``engine.onnx.validate`` and only then store it.

    Raises PermissionDenied for non-instructors and ModelRejected (the validator's message,
    prefixed with the file name) for a refused file; nothing is written in either case.
    """
    if not is_instructor(owner):
        raise PermissionDenied("Only instructors may upload models.")
    if upload is None:
        raise ModelRejected("file: no .onnx file was uploaded")
    task = normalise_task(task)
    visibility = normalise_visibility(visibility)
    limits = limits or onnx_limits()
    filename = os.path.basename(getattr(upload, "name", "") or "model.onnx")
    data = _read_capped(upload, limits.max_bytes)
    try:
        model = validate(data, limits)
    except ModelRejected as exc:
        msg = str(exc).replace("uploaded model:", f"{filename}:", 1)
        raise ModelRejected(msg) from None
    _check_task_outputs(model, task)
    info = describe(model, task)
    work = _workdir()
    try:
        (work / "model.onnx").write_bytes(data)
        return _store(
            work,
            owner=owner,
            name=_clean_name(name, Path(filename).stem or "model"),
            description=str(description or "")[:5000],
            task=task,
            source=TrainedModel.Source.UPLOADED,
            visibility=visibility,
            metrics={},
            **info,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def set_visibility(user, model: TrainedModel, visibility: str) -> TrainedModel:
    """Change who sees ``model``. The owner or an instructor may; only instructors may make
    a model visible to students or public (a student may keep their own model private).

    Raises ModelRejected for an unknown value and PermissionDenied (a 403) for a change ``user`` may
    not make; nothing is saved in either case.
    """
    visibility = normalise_visibility(visibility)
    if not can_manage(user, model):
        raise PermissionDenied("Only the model's owner or an instructor may change its visibility.")
    if visibility == model.visibility:
        return model
    if visibility not in allowed_visibilities(user, model):
        what = "visible to students" if visibility == "students" else visibility
        raise PermissionDenied(
            f"Only instructors may make a model {what}; you may keep your own model private."
        )
    model.visibility = visibility
    model.save(update_fields=["visibility"])
    return model


def onnx_path(model: TrainedModel) -> Path:
    return media_root() / model.onnx.name


def onnx_filename(model: TrainedModel) -> str:
    """A safe download name from the model's name: letters, digits, '-', '_' and '.'."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", model.name).strip("-._") or f"model-{model.pk}"
    return f"{stem[:80]}.onnx"


def session_for(model: TrainedModel) -> runtime.ModelSession:
    """The cached, warmed onnxruntime session serving ``model`` (CUDA when available)."""
    return runtime.get_session(onnx_path(model), limits=onnx_limits())


def load_network(model: TrainedModel) -> LoadedModel:
    """The engine network of ``model`` with its input shape/layout and class names.

    Raises ModelRejected when the model's graph is not one the engine can step through.
    """
    if not model.loadable:
        raise ModelRejected(
            f"model {model.pk} ({model.name}) cannot be opened in the playground: "
            f"{model.load_error or 'not an engine network'}"
        )
    return load_model(onnx_path(model), limits=onnx_limits())


def segmentation_models(user=None) -> list[dict]:
    """Instance-segmentation models for the segmentation demo: id, name, path, description."""
    out = []
    qs = visible_models(user).filter(task=TrainedModel.Task.INSTANCE_SEGMENTATION)
    for m in qs:
        out.append(
            {
                "id": m.segmentation_id,
                "name": m.name,
                "path": str(onnx_path(m)),
                "description": m.description or f"model zoo · {m.owner.get_username()}",
            }
        )
    return out


def delete_model(model: TrainedModel) -> None:
    """Delete the record and, once the transaction commits, its files and cached session."""
    folder = media_root() / MODELZOO_DIR / model.folder
    path = onnx_path(model)
    with transaction.atomic():
        model.delete()

        def cleanup() -> None:
            runtime.evict(path)
            shutil.rmtree(folder, ignore_errors=True)

        transaction.on_commit(cleanup)
