"""The API's JSON parser: DRF's, with a limit on nesting depth.

Why a limit: Python's json decoder recurses once per ``[`` or ``{``, so a body of 100,000
``[`` raises RecursionError (a 500) before any view runs, and anything that walks a parsed
value recursively afterwards (serializers, json.dumps of an echo, our own validators) is
exposed the same way. No nnweb request is deeper than a handful of levels (a network spec is
object → list of layers → layer → list), so anything deeper than :data:`MAX_DEPTH` is refused
as a parse error (400) naming the limit.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def depth_exceeds(value: Any, limit: int) -> bool:
    """True when containers in ``value`` nest deeper than ``limit`` (iterative, no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONParser(JSONParser):
    """application/json, refusing bodies nested deeper than :data:`MAX_DEPTH` (400)."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(
            f"JSON parse error - the body nests arrays/objects deeper than {self.max_depth} levels."
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if depth_exceeds(data, self.max_depth):
            raise too_deep
        return data
