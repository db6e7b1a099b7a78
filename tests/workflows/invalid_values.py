"""Values no form accepts, one for each kind of field: what a careless or hostile submission sends."""
from __future__ import annotations

from typing import Any


def invalid_value(prop: dict[str, Any]) -> Any:
    """A value the form refuses for this field (None when the field has no checkable limit)."""
    if "const" in prop:
        return not prop["const"]
    if "oneOf" in prop:
        return "no_such_choice"
    kind = prop.get("type")
    if kind == "boolean":
        return "yes"
    if kind in ("number", "integer"):
        return prop.get("minimum", prop.get("exclusiveMinimum", 0)) - 1
    if kind == "array":
        return [{}] if prop.get("items", {}).get("type") == "object" else [invalid_value(prop["items"])]
    if "pattern" in prop:
        return "!! 不合规 !!"
    if "format" in prop:
        return "2026-13-45T99:99"
    return "字" * (prop["maxLength"] + 1) if "maxLength" in prop else None
