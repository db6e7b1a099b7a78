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
_cache: dict[int, tuple[Mapping[str, Any], frozenset[str], Draft202012Validator]] = {}
_CACHE_SIZE = 512


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
    allowed, validator = _compiled(schema)
    submitted = {k: v for k, v in data.items() if k in allowed and v not in ("", None)}
    fields: dict[str, str] = {}
    for error in sorted(validator.iter_errors(submitted), key=lambda e: list(e.absolute_path)):
        fields.setdefault(_field_path(error), _message(error))
    if fields:
        raise InvalidData("the form has errors: " + ", ".join(sorted(fields)), fields)
    return submitted


def _compiled(schema: Mapping[str, Any]) -> tuple[frozenset[str], Draft202012Validator]:
    """The writable fields and the validator of a schema, made once per schema object.

    Schemas come from the parsed-process cache and are never changed in place, so the object
    itself is the key (kept in the entry, so its id cannot be reused while cached)."""
    entry = _cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        writable = writable_schema(schema)
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        entry = _cache[id(schema)] = (schema, frozenset(writable.get("properties") or {}),
                                      Draft202012Validator(writable, format_checker=_format_checker))
    return entry[1], entry[2]
