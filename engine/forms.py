"""Validating submitted form data against a step's JSON Schema.

Only the fields a form lets the user write are taken: read-only context fields and unknown keys
are dropped before validation, so a submission can never overwrite what earlier steps decided.
"""
from __future__ import annotations

import copy
from typing import Any, Mapping

from jsonschema import Draft202012Validator, FormatChecker

from .errors import InvalidData

_format_checker = FormatChecker()


def writable_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema without its read-only properties."""
    result = copy.deepcopy(dict(schema))
    props = result.get("properties") or {}
    readonly = {k for k, v in props.items() if isinstance(v, dict) and v.get("readOnly")}
    result["properties"] = {k: v for k, v in props.items() if k not in readonly}
    if "required" in result:
        result["required"] = [k for k in result["required"] if k not in readonly]
    return result


def _field_path(error: Any) -> str:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return ".".join(str(p) for p in path) or "_form"


def _message(error: Any) -> str:
    if error.validator == "required":
        return "required"
    return error.message


def clean(schema: Mapping[str, Any] | None, data: Any) -> dict[str, Any]:
    """Return the writable part of `data`, or raise InvalidData naming every bad field."""
    if not isinstance(data, dict):
        raise InvalidData("the data must be a JSON object", {"_form": "must be an object"})
    if not schema:
        return dict(data)
    writable = writable_schema(schema)
    allowed = set(writable.get("properties") or {})
    submitted = {k: v for k, v in data.items() if k in allowed}
    submitted = {k: v for k, v in submitted.items() if v not in ("", None)}
    validator = Draft202012Validator(writable, format_checker=_format_checker)
    fields: dict[str, str] = {}
    for error in sorted(validator.iter_errors(submitted), key=lambda e: list(e.absolute_path)):
        fields.setdefault(_field_path(error), _message(error))
    if fields:
        raise InvalidData("the form has errors: " + ", ".join(sorted(fields)), fields)
    return submitted
