"""The JSON Schema forms in `workflows/forms/<process_key>/`.

Convention: a choice lists its values with Chinese labels as `oneOf: [{"const": v, "title": "标签"}]`
(booleans too, e.g. 批准/驳回), never `enum` + `x-enumNames`, so one rule renders every choice. A
`readOnly` property is case context shown to the person doing the step; every other property is
data the step writes. Not named `forms.py`, so it is never confused with the `forms/` folder.
"""
from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

FORMS_DIR = Path(__file__).resolve().parent / "forms"


@functools.lru_cache(maxsize=None)
def _load(process_key: str, filename: str) -> dict[str, Any]:
    path = FORMS_DIR / process_key / filename
    return json.loads(path.read_text(encoding="utf-8"))


def load_form(process_key: str, filename: str) -> dict[str, Any]:
    """A fresh copy of the schema, so a caller may change it without touching the cache."""
    return copy.deepcopy(_load(process_key, filename))


def form_files(process_key: str) -> list[str]:
    return sorted(p.name for p in (FORMS_DIR / process_key).glob("*.json"))


def readonly_fields(schema: dict[str, Any]) -> list[str]:
    return [k for k, v in schema.get("properties", {}).items() if v.get("readOnly")]


def writable_fields(schema: dict[str, Any]) -> list[str]:
    return [k for k, v in schema.get("properties", {}).items() if not v.get("readOnly")]


def choice_labels(prop: dict[str, Any]) -> dict[Any, str]:
    """Value → Chinese label of a choice property (or of the items of a multi-choice array)."""
    if prop.get("type") == "array":
        prop = prop.get("items", {})
    return {option["const"]: option["title"] for option in prop.get("oneOf", []) if "const" in option}
