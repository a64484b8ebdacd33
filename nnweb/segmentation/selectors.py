"""Reads of the segmentation app: the instance-segmentation models a user may run.

The shipped Mask R-CNN (when its file exists) and the model zoo's instance-segmentation models
the user may see (``nnweb.modelzoo.services.segmentation_models``). The views, the page and
``services.segment`` choose a model through :func:`get_model`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from nnweb.modelzoo import services as zoo

logger = logging.getLogger(__name__)

SHIPPED_ID = "shipped"


class ModelUnavailable(LookupError):
    """The chosen model does not exist, is not visible, or its file is missing."""


@dataclass
class ModelChoice:
    """One instance-segmentation model the demo can run."""

    id: str
    name: str
    path: Path
    source: str  # "shipped" or "modelzoo"
    default: bool = False
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "default": self.default,
            "description": self.description,
            **self.extra,
        }


def shipped_model_path() -> Path:
    """The Mask R-CNN trained and shipped with nnweb (overridable for tests)."""
    custom = getattr(settings, "SEGMENTATION_DEFAULT_MODEL", None) or os.environ.get(
        "NNWEB_SEGMENTATION_MODEL"
    )
    if custom:
        return Path(custom)
    return Path(settings.BASE_DIR) / "engine" / "detection" / "weights" / "maskrcnn.onnx"


def _zoo_models(user: Any) -> list[ModelChoice]:
    """Trained models of task instance_segmentation visible to ``user`` (model zoo).

    The zoo decides what ``user`` may see (``nnweb.modelzoo.services.segmentation_models``);
    its ids look like ``zoo-<pk>``.
    """
    return [
        ModelChoice(
            id=str(item["id"]),
            name=str(item["name"]),
            path=Path(item["path"]),
            source="modelzoo",
            description=str(item.get("description", "")),
        )
        for item in zoo.segmentation_models(user)
    ]


def _shipped() -> ModelChoice | None:
    path = shipped_model_path()
    if not path.is_file():
        return None
    return ModelChoice(
        id=SHIPPED_ID,
        name="Mask R-CNN (shapes, shipped with nnweb)",
        path=path,
        source="shipped",
        default=True,
        description="Trained from scratch in NumPy on generated 128 x 128 shape images.",
    )


def list_models(user: Any = None) -> list[ModelChoice]:
    """The shipped model (the default, when its file exists) and the zoo's models."""
    shipped = _shipped()
    models = [shipped] if shipped else []
    try:
        zoo = _zoo_models(user)
    except DatabaseError:  # the zoo's table is unavailable: the shipped model still works
        logger.warning("segmentation: the model zoo could not be read", exc_info=True)
        zoo = []
    if zoo and not models:
        zoo[0].default = True
    return models + zoo


def get_model(model_id: str | None, user: Any = None) -> ModelChoice:
    if model_id in (None, "", SHIPPED_ID):
        shipped = _shipped()
        if shipped is not None:  # no database query for the common case
            return shipped
    models = list_models(user)
    if not models:
        raise ModelUnavailable(
            "No instance-segmentation model is available: the shipped model file "
            f"{shipped_model_path().name} is missing and the model zoo has none."
        )
    if not model_id:
        return next(m for m in models if m.default)
    for m in models:
        if m.id == str(model_id):
            if not m.path.is_file():
                raise ModelUnavailable(f"model {model_id!r}: its ONNX file is missing.")
            return m
    raise ModelUnavailable(
        f"model {model_id!r} is not an instance-segmentation model you can use; "
        f"choose one of {[m.id for m in models]}."
    )
