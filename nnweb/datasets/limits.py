"""Size limits for dataset uploads.

Defaults live here; ``settings.NNWEB_LIMITS`` (a dict) overrides any of them by the
upper-case key shown in :data:`DEFAULTS`. Every importer takes a :class:`Limits` so
tests can pass tight ones without touching settings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MB = 1024 * 1024

DEFAULTS = {
    "DATASET_CSV_MAX_BYTES": 20 * MB,
    "DATASET_ARCHIVE_MAX_BYTES": 200 * MB,
    "DATASET_JSON_MAX_BYTES": 50 * MB,
    "DATASET_MAX_ROWS": 200_000,
    "DATASET_MAX_COLUMNS": 1_000,
    "DATASET_MAX_CLASSES": 1_000,
    "DATASET_MAX_IMAGES": 20_000,
    "DATASET_MAX_ANNOTATIONS": 200_000,
    "DATASET_MAX_IMAGE_PIXELS": 4096 * 4096,
    "DATASET_MAX_IMAGE_SIDE": 256,
    "DATASET_MAX_ZIP_ENTRIES": 50_000,
    "DATASET_MAX_UNCOMPRESSED_BYTES": 1024 * MB,
    "DATASET_MAX_ZIP_RATIO": 100,
    "DATASET_MAX_ARRAY_BYTES": 512 * MB,
}

# Shorter keys the project settings already use for the same limits.
ALIASES = {"max_rows": "MAX_DATASET_ROWS", "max_image_pixels": "MAX_IMAGE_PIXELS"}


@dataclass(frozen=True)
class Limits:
    csv_max_bytes: int = DEFAULTS["DATASET_CSV_MAX_BYTES"]
    archive_max_bytes: int = DEFAULTS["DATASET_ARCHIVE_MAX_BYTES"]
    json_max_bytes: int = DEFAULTS["DATASET_JSON_MAX_BYTES"]
    max_rows: int = DEFAULTS["DATASET_MAX_ROWS"]
    max_columns: int = DEFAULTS["DATASET_MAX_COLUMNS"]
    max_classes: int = DEFAULTS["DATASET_MAX_CLASSES"]
    max_images: int = DEFAULTS["DATASET_MAX_IMAGES"]
    max_annotations: int = DEFAULTS["DATASET_MAX_ANNOTATIONS"]
    max_image_pixels: int = DEFAULTS["DATASET_MAX_IMAGE_PIXELS"]
    max_image_side: int = DEFAULTS["DATASET_MAX_IMAGE_SIDE"]
    max_zip_entries: int = DEFAULTS["DATASET_MAX_ZIP_ENTRIES"]
    max_uncompressed_bytes: int = DEFAULTS["DATASET_MAX_UNCOMPRESSED_BYTES"]
    max_zip_ratio: float = DEFAULTS["DATASET_MAX_ZIP_RATIO"]
    max_array_bytes: int = DEFAULTS["DATASET_MAX_ARRAY_BYTES"]

    @classmethod
    def from_settings(cls) -> Limits:
        """Defaults overridden by ``settings.NNWEB_LIMITS`` (when Django is configured)."""
        overrides: dict = {}
        try:
            # Deferred on purpose: the importers (and so Limits) run without Django.
            from django.conf import settings

            if settings.configured:
                overrides = dict(getattr(settings, "NNWEB_LIMITS", {}) or {})
        except ImportError:  # pragma: no cover - importers work without Django
            overrides = {}
        values = {}
        for f in fields(cls):
            key = "DATASET_" + f.name.upper()
            if key in overrides:
                values[f.name] = overrides[key]
            elif f.name in ALIASES and ALIASES[f.name] in overrides:
                values[f.name] = overrides[ALIASES[f.name]]
        return cls(**values)


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover
