"""The grade book as CSV: one row per student, a status and a score column per assignment."""

from __future__ import annotations

import csv
import io

from . import selectors
from .models import Class

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def gradebook_csv(klass: Class) -> str:
    book = selectors.gradebook(klass)
    out = io.StringIO()
    w = csv.writer(out)
    header = ["student"]
    for a in book["assignments"]:
        header += [_cell(f"{a.title} status"), _cell(f"{a.title} score")]
    w.writerow(header + ["total"])
    for row in book["rows"]:
        line = [_cell(row["student"]["username"])]
        for c in row["cells"]:
            line += [c.status + (" (late)" if c.late else ""), _fmt(c.score)]
        w.writerow(line + [_fmt(row["total"])])
    return out.getvalue()


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"
