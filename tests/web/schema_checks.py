"""The published OpenAPI components as JSON Schema, to validate real messages against them.

components = published_components()        # or the `components` fixture of tests/conftest.py
check(components, "PlaygroundStateMessage", body)
"""

from __future__ import annotations

import jsonschema


def _json_schema(node):
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema's ``null`` type (what jsonschema reads)."""
    if isinstance(node, list):
        return [_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out or "allOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def published_components() -> dict:
    """The schema's components, as drf-spectacular publishes them at /api/schema/."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return _json_schema(schema["components"])


def check(components: dict, name: str, message) -> None:
    """Raise jsonschema.ValidationError unless ``message`` matches component ``name``."""
    doc = {"$ref": f"#/components/schemas/{name}", "components": components}
    jsonschema.validate(message, doc)
