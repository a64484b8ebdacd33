"""Tabular CSV: a header row, numeric feature columns and one target column."""

from __future__ import annotations

import csv as _csv
import io
import math
import os
from typing import BinaryIO

import numpy as np

from ..limits import Limits, human_bytes
from . import DatasetRejected, ImportResult, class_counts, column_stats

PREVIEW_ROWS = 20
TASKS = ("classification", "regression")


def read_limited(source: str | os.PathLike | BinaryIO, max_bytes: int, what: str) -> bytes:
    """Read a whole upload, refusing it once it grows past ``max_bytes``."""
    if isinstance(source, str | os.PathLike):
        size = os.path.getsize(source)
        if size > max_bytes:
            raise DatasetRejected(
                f"the file is {human_bytes(size)}; the limit for {what} is {human_bytes(max_bytes)}"
            )
        with open(source, "rb") as fh:
            return fh.read()
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DatasetRejected(
            f"the file is larger than the limit for {what} ({human_bytes(max_bytes)})"
        )
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DatasetRejected(
            f"line {line} is not valid UTF-8 text (byte {err.start}); save the CSV as UTF-8"
        ) from None


def _parse_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def import_csv(
    source: str | os.PathLike | BinaryIO,
    *,
    target: str,
    task: str = "classification",
    features: list[str] | None = None,
    limits: Limits | None = None,
) -> ImportResult:
    """Validate a CSV upload and convert it to ``X`` (float64) and ``y``.

    Rows are numbered from 1 for the first data row; the file line (header = line 1)
    is given too, so the message matches what a spreadsheet or editor shows.
    """
    limits = limits or Limits()
    if task not in TASKS:
        raise DatasetRejected(f"problem type must be one of {', '.join(TASKS)}, not {task!r}")
    if not target:
        raise DatasetRejected("choose the target column (the value the network should predict)")
    text = _decode(read_limited(source, limits.csv_max_bytes, "CSV files"))
    reader = _csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except _csv.Error as err:
        raise DatasetRejected(f"line 1: not a readable CSV header ({err})") from None
    if not header or all(not h.strip() for h in header):
        raise DatasetRejected("the file is empty: a header row naming the columns is needed")
    header = [h.strip() for h in header]
    if len(header) > limits.max_columns:
        raise DatasetRejected(
            f"the header has {len(header)} columns; the limit is {limits.max_columns}"
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if not name:
            raise DatasetRejected(f"header: column {i} has no name")
        if name in seen:
            raise DatasetRejected(
                f"header: column name {name!r} appears twice (columns {seen[name]} and {i})"
            )
        seen[name] = i
    if len(header) == 1 and ";" in header[0]:
        raise DatasetRejected("header: only one column found; separate values with commas, not ';'")
    if target not in seen:
        raise DatasetRejected(
            f"target column {target!r} is not in the header (columns: {', '.join(header)})"
        )
    if features is None:
        features = [h for h in header if h != target]
    else:
        for f in features:
            if f not in seen:
                raise DatasetRejected(f"feature column {f!r} is not in the header")
            if f == target:
                raise DatasetRejected(f"column {target!r} cannot be both a feature and the target")
    if not features:
        raise DatasetRejected(
            "no feature columns: the CSV needs at least one column besides the target"
        )
    feat_idx = [seen[f] - 1 for f in features]
    target_idx = seen[target] - 1

    rows_X: list[list[float]] = []
    targets: list[str] = []
    preview: list[list[str]] = []
    row = 0
    try:
        for values in reader:
            line = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue  # blank line
            row += 1
            if row > limits.max_rows:
                raise DatasetRejected(f"more than {limits.max_rows} data rows; that is the limit")
            where = f"row {row} (line {line})"
            if len(values) != len(header):
                raise DatasetRejected(
                    f"has {len(values)} values but the header has {len(header)} columns",
                    where=where,
                )
            feats = []
            for j in feat_idx:
                cell = values[j].strip()
                if not cell:
                    raise DatasetRejected(
                        f"column {header[j]!r} is empty (missing values are not allowed)",
                        where=where,
                    )
                num = _parse_number(cell)
                if num is None:
                    raise DatasetRejected(
                        f"column {header[j]!r}: {cell[:40]!r} is not a number "
                        "(feature columns must be numeric)",
                        where=where,
                    )
                if not math.isfinite(num):
                    raise DatasetRejected(
                        f"column {header[j]!r}: {cell!r} (NaN or infinity) is not allowed",
                        where=where,
                    )
                feats.append(num)
            t = values[target_idx].strip()
            if not t:
                raise DatasetRejected(f"the target column {target!r} is missing", where=where)
            rows_X.append(feats)
            targets.append(t)
            if len(preview) < PREVIEW_ROWS:
                preview.append([v.strip() for v in values])
    except _csv.Error as err:
        raise DatasetRejected(f"line {reader.line_num}: not valid CSV ({err})") from None

    if row < 2:
        raise DatasetRejected("the CSV needs at least 2 data rows")
    X = np.asarray(rows_X, dtype=np.float64)
    meta: dict = {
        "feature_names": features,
        "target": target,
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "preview": {"columns": header, "rows": preview},
    }
    stats: dict = {
        "columns": [
            {"name": name, "role": "feature", **column_stats(X[:, k])}
            for k, name in enumerate(features)
        ]
    }

    if task == "regression":
        y = np.empty(len(targets), dtype=np.float64)
        for i, t in enumerate(targets):
            num = _parse_number(t)
            if num is None:
                raise DatasetRejected(
                    f"target {target!r}: {t[:40]!r} is not a number (regression needs numbers)",
                    where=f"row {i + 1}",
                )
            if not math.isfinite(num):
                raise DatasetRejected(
                    f"target {target!r}: {t!r} (NaN or infinity) is not allowed",
                    where=f"row {i + 1}",
                )
            y[i] = num
        stats["columns"].append({"name": target, "role": "target", **column_stats(y)})
    else:
        labels = sorted(set(targets), key=_label_key)
        if len(labels) < 2:
            raise DatasetRejected(
                f"target column {target!r} has a single class ({labels[0]!r}); "
                "classification needs at least 2"
            )
        if len(labels) > limits.max_classes:
            raise DatasetRejected(
                f"target column {target!r} has {len(labels)} different values; the limit is "
                f"{limits.max_classes} classes (is this a regression target?)"
            )
        index = {name: k for k, name in enumerate(labels)}
        y = np.asarray([index[t] for t in targets], dtype=np.int64)
        meta["class_names"] = labels
        stats["columns"].append(
            {"name": target, "role": "target", "classes": class_counts(y, labels)}
        )
    return ImportResult(kind="tabular", task=task, X=X, y=y, meta=meta, stats=stats)


def _label_key(label: str):
    num = _parse_number(label)
    return (0, num, label) if num is not None and math.isfinite(num) else (1, 0.0, label)
