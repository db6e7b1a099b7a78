"""Validating submitted form data against a step's JSON Schema and the business rules beside it.

A step writes only what its form lets it write, at every depth (`form_writes`): read-only context
and unknown keys are dropped before validation and the case's own values kept, so a submission can
never overwrite what earlier steps decided. What is left must fit the schema and then the form's
business limits (`form_rules`), or the command is refused with every bad field named. NaN and
Infinity are never numbers here, wherever they sit in the submission.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator, FormatChecker

from engine.clock import system_clock
from engine.errors import InvalidData
from engine.sandbox.functions import DEFAULT_ZONE

from . import rules as form_rules
from . import writes as form_writes
from .row_import import check_import
from .writes import writable_schema

__all__ = ["clean", "check_form", "refuse_non_finite", "writable_schema"]

NOT_FINITE = "must be a finite number"
_format_checker = FormatChecker()
_cache: dict[int, tuple[Mapping[str, Any], _Compiled]] = {}
_CACHE_SIZE = 512


@dataclass(frozen=True)
class _Compiled:
    writable: Mapping[str, Any]  # the writable top-level properties
    validator: Draft202012Validator
    rules: tuple[form_rules.FormRule, ...]


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


#: The parts of a field's schema its error message is built from, in the person's language.
_LIMIT_KEYS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
               "minItems", "maxItems", "const", "format", "pattern", "description", "x-description-en")


def _limits(error: Any) -> dict[str, Any]:
    """The refusing keyword and the limits of the schema of the refused field (for `required`, the
    missing property's schema), as plain data: the web layer words them."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        schema = (schema.get("properties") or {}).get(missing) or {}
    limits = {k: schema[k] for k in _LIMIT_KEYS
              if k in schema and isinstance(schema[k], (str, int, float, bool))}
    items = schema.get("items")
    if isinstance(items, Mapping) and isinstance(items.get("type"), str):
        limits["items"] = {"type": items["type"]}
    return {"code": str(error.validator), **limits}


def clean(schema: Mapping[str, Any] | None, data: Any, current: Mapping[str, Any] | None = None, *,
          now: datetime | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> dict[str, Any]:
    """Return what the step writes, or raise InvalidData naming every bad field.

    `current` is the case's data as the step sees it (the values kept for read-only properties and
    the rows a fixed list must keep); `now` is the engine's time and `zone` its business time zone,
    for rules about dates."""
    if not isinstance(data, dict):
        raise InvalidData("the data must be a JSON object", {"_form": "must be an object"})
    refuse_non_finite(data)
    if not schema:
        return dict(data)
    compiled = _compiled(schema)
    current = current or {}
    fields: dict[str, str] = {}
    limits: dict[str, dict[str, Any]] = {}
    submitted = {k: form_writes.writable(compiled.writable[k], v, current.get(k), k, fields)
                 for k, v in data.items() if k in compiled.writable and v not in ("", None)}
    for error in sorted(compiled.validator.iter_errors(submitted), key=lambda e: list(e.absolute_path)):
        path = _field_path(error)
        if path not in fields:
            fields[path] = _message(error)
            limits[path] = _limits(error)
    if fields:
        raise InvalidData("the form has errors: " + ", ".join(sorted(fields)), fields, limits)
    written = {k: form_writes.with_read_only(compiled.writable[k], v, current.get(k))
               for k, v in submitted.items()}
    if compiled.rules:
        broken = form_rules.check(compiled.rules, {**current, **written}, now or system_clock(), zone)
        if broken:
            raise InvalidData("the form breaks its rules: " + ", ".join(sorted(broken)), broken)
    return written


def refuse_non_finite(data: Any) -> None:
    """NaN and ±Infinity are not numbers a form accepts: they pass `minimum`/`maximum` and every
    comparison a routing makes, and are not JSON. Raise InvalidData naming each place that has one."""
    fields: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, (float, Decimal)):
            if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()):
                fields[path or "_form"] = NOT_FINITE
        elif isinstance(value, Mapping):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value))
    if fields:
        raise InvalidData("not a finite number: " + ", ".join(sorted(fields)), fields)


def check_form(schema: Mapping[str, Any]) -> None:
    """What deploy asks of a form beyond JSON Schema: a meaningful `x-rows`, rules that compile
    against the form's fields, `x-import` only where a file can fill it. ValueError says what is
    wrong where."""
    form_writes.check_rows(schema)
    form_rules.compile_rules(schema)
    check_import(schema)


def _compiled(schema: Mapping[str, Any]) -> _Compiled:
    """The writable fields, validator and rules of a schema, made once per schema object.

    Schemas come from the parsed-process cache and are never changed in place, so the object
    itself is the key (kept in the entry, so its id cannot be reused while cached)."""
    entry = _cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        writable = writable_schema(schema)
        props = form_writes.properties(schema)
        compiled = _Compiled(
            writable={k: props[k] for k in writable["properties"] if isinstance(props.get(k), Mapping)},
            validator=Draft202012Validator(writable, format_checker=_format_checker),
            rules=form_rules.compile_rules(schema))
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        entry = _cache[id(schema)] = (schema, compiled)
    return entry[1]
