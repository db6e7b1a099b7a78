"""A form file checked on its own, as deploy checks it: JSON syntax, JSON Schema validity and
OpsFlow's `x-` extensions (rows, rules, imports).

Deploy runs the same check on every form of a process (`deploy.validate`); the form editor runs it
as the administrator types, so the preview and the save refuse a form for the same reasons, each
naming where: the line and column of a syntax error, the schema path of an invalid keyword.
"""
from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.errors import DeployError
from engine.forms.validation import check_form


def check_form_schema(schema: Any) -> None:
    """Refuse a schema that is no JSON Schema object or breaks OpsFlow's form rules.

    ValueError says why and where (the path inside the schema, `(root)` for the top)."""
    if not isinstance(schema, dict):
        raise ValueError("a form must be a JSON object (a JSON Schema with \"type\": \"object\")")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        path = "/".join(str(p) for p in exc.path) or "(root)"
        raise ValueError(f"not a valid JSON Schema at {path}: {exc.message}") from None
    check_form(schema)


def read_form(filename: str, text: str) -> dict[str, Any]:
    """The schema of a form file, or DeployError naming the file and the line and column of a syntax
    error, or the schema path of what is wrong."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeployError(f"{filename}, line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}",
                          filename=filename, line=exc.lineno) from None
    try:
        check_form_schema(schema)
    except ValueError as exc:
        raise DeployError(f"{filename}: {exc}", filename=filename) from None
    return schema
