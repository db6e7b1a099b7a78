"""A form (a step's JSON Schema) read as the facts a version diff compares: each field by its path,
with the keywords of its own schema, and the form's own keywords (title, rules, ...).

A field is a property at any depth: `amount`, an object's `address.city`, a list's `lines[].sku`. Its
facts are its keywords as JSON text (the nested fields are facts of their own, not of the parent),
plus whether the parent requires it, so a field turned mandatory is a changed field.
"""
from __future__ import annotations

import json
from typing import Any

#: Keywords that hold the nested fields: read as fields, not as facts of the parent.
_NESTED = ("properties", "items", "required")


def form_fields(content: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(the form's own keywords, field path → its keywords), every value as canonical JSON text."""
    schema = json.loads(content)
    if not isinstance(schema, dict):
        return {"schema": _text(schema)}, {}
    fields: dict[str, dict[str, str]] = {}
    _walk(schema, "", fields)
    return _keywords(schema), fields


def _walk(schema: dict[str, Any], prefix: str, fields: dict[str, dict[str, str]]) -> None:
    properties = schema.get("properties")
    listed = schema.get("required")
    required: list[Any] = listed if isinstance(listed, list) else []
    if isinstance(properties, dict):
        for name, field in properties.items():
            path = f"{prefix}{name}"
            facts = _keywords(field) if isinstance(field, dict) else {"schema": _text(field)}
            if name in required:
                facts["required"] = "true"
            fields[path] = facts
            if isinstance(field, dict):
                _walk(field, f"{path}.", fields)
    items = schema.get("items")
    if isinstance(items, dict) and prefix:
        _walk(items, f"{prefix[:-1]}[].", fields)


def _keywords(schema: dict[str, Any]) -> dict[str, str]:
    facts = {key: _text(value) for key, value in schema.items() if key not in _NESTED}
    items = schema.get("items")
    if isinstance(items, dict):
        facts.update({f"items.{key}": _text(value) for key, value in items.items() if key not in _NESTED})
    return facts


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
