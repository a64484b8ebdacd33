"""The published OpenAPI schema as JSON Schema, to validate real messages and responses.

components = published_components()        # or the `components` fixture of tests/conftest.py
check(components, "PlaygroundStateMessage", body)

schema = published_schema()                # or the `api_schema` fixture
check_response(schema, "get", "/api/playground/options/", 200, body)
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


def published_schema() -> dict:
    """The whole schema as drf-spectacular publishes it at /api/schema/, as JSON Schema."""
    from drf_spectacular.generators import SchemaGenerator

    return _json_schema(SchemaGenerator().get_schema(request=None, public=True))


def published_components() -> dict:
    """The schema's components, as drf-spectacular publishes them at /api/schema/."""
    return published_schema()["components"]


def check(components: dict, name: str, message) -> None:
    """Raise jsonschema.ValidationError unless ``message`` matches component ``name``."""
    doc = {"$ref": f"#/components/schemas/{name}", "components": components}
    jsonschema.validate(message, doc)


def check_response(schema: dict, method: str, path: str, status: int, body) -> None:
    """Raise jsonschema.ValidationError unless ``body`` matches what the schema documents for
    ``method path`` (the path as the schema writes it, ``{id}`` included) answering ``status``.
    A KeyError when the schema documents no such response (no JSON body for it)."""
    response = schema["paths"][path][method.lower()]["responses"][str(status)]
    body_schema = response["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**body_schema, "components": schema["components"]})
