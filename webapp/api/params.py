"""Parsing query strings and JSON bodies, refusing bad input with a 400 that names the field."""
from __future__ import annotations

from typing import Any

from flask import request

from ..errors import BadRequest


def body() -> dict[str, Any]:
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object", {"_body": "must be a JSON object"})
    return data


def body_object(key: str) -> dict[str, Any]:
    data = body().get(key, {})
    if not isinstance(data, dict):
        raise BadRequest(f"'{key}' must be a JSON object", {key: "must be an object"})
    return data


def text(name: str, default: str | None = None) -> str | None:
    value = request.args.get(name)
    return value.strip() if value and value.strip() else default


def integer(name: str, default: int) -> int:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number", {name: "must be a whole number"}) from None


def flag(name: str) -> bool | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise BadRequest(f"'{name}' must be true or false", {name: "must be true or false"})
