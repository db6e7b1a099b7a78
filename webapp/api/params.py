"""Parsing query strings and JSON bodies.

Input that cannot be read — malformed JSON, a body that is not an object, a value of the wrong
type, a number no database column holds, JSON the strict reader refuses (NaN, deep nesting, a lone
surrogate) — is refused with a 400 naming the field; a value of the right type that the engine
finds wrong (missing, unknown, out of range) is the engine's 422.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from flask import request
from flask_babel import gettext as _

from ..errors import BadRequest
from ..extensions import engine
from ..record_ids import MAX_INT, MIN_INT


def body() -> dict[str, Any]:
    """The request's JSON object (`{}` for an empty body), whatever content type it came with.

    Read by the app's strict reader: what it refuses is a 400 from `StrictRequest`."""
    if not request.get_data(cache=True).strip():
        return {}
    data = request.get_json(force=True, cache=True)
    if not isinstance(data, dict):
        raise BadRequest(_("The request body must be a JSON object."), {"_body": _("must be a JSON object")})
    return data


def body_object(key: str) -> dict[str, Any]:
    """`body()[key]`, which must be an object when given; `{}` when left out."""
    data = body().get(key)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadRequest(_("'%(name)s' must be a JSON object.", name=key), {key: _("must be an object")})
    return data


def body_text(data: dict[str, Any], key: str) -> str:
    """`data[key]`, which must be a string when given; `""` when left out or null."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(_("'%(name)s' must be a string.", name=key), {key: _("must be a string")})
    return value


def text(name: str, default: str | None = None) -> str | None:
    value = request.args.get(name)
    return value.strip() if value and value.strip() else default


def integer(name: str, default: int) -> int:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(_("'%(name)s' must be a whole number.", name=name),
                         {name: _("must be a whole number")}) from None
    if not MIN_INT <= number <= MAX_INT:
        limits = {"min": MIN_INT, "max": MAX_INT}
        raise BadRequest(_("'%(name)s' must be between %(min)d and %(max)d.", name=name, **limits),
                         {name: _("must be between %(min)d and %(max)d", **limits)})
    return number


def flag(name: str) -> bool | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise BadRequest(_("'%(name)s' must be true or false.", name=name), {name: _("must be true or false")})


def optional_integer(name: str) -> int | None:
    value = request.args.get(name)
    return None if value in (None, "") else integer(name, 0)


def moment(name: str) -> datetime | None:
    """An ISO 8601 date or datetime; a date means midnight in the business time zone, a datetime
    without offset is UTC."""
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), time(), engine().zone)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("'%(name)s' must be an ISO 8601 date or date-time.", name=name),
                         {name: _("must be an ISO 8601 date or date-time")}) from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    try:
        parsed.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01 in Shanghai is in year 0 in UTC, where the database compares
        raise BadRequest(_("'%(name)s' is out of range.", name=name), {name: _("out of range")}) from None
    return parsed
