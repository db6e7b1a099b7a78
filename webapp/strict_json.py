"""JSON as the app reads and writes it: finite numbers, text every database can store, bounded nesting.

Python's `json` reads `NaN` and `Infinity` (which are not JSON), nests until the interpreter's
recursion gives out, and passes lone surrogates (`"\\ud800"`) and NUL characters through; each of
these became a 500 somewhere further on (SQLite cannot encode a lone surrogate, PostgreSQL stores
no NUL and no NaN in `json`), or a bare `NaN` in a response that no JSON client can read. Here the
reader refuses them with the place named, before anything else sees the value, and the writer
never emits them.

The nesting is measured on the text before parsing, so the limit holds before Python's recursion
could fail; the value is walked for the other refusals only when the text or the number parser saw
one of them, so a well-formed body costs one extra regular-expression pass.
"""
from __future__ import annotations

import json
import logging
import math
import re
from itertools import accumulate
from typing import Any

from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

DEFAULT_MAX_DEPTH = 64

_STRING = re.compile(r'"[^"]*"')  # once escaped backslashes and quotes are gone
_NOT_A_BRACKET = {c: None for c in range(128) if chr(c) not in "[]{}"}  # outside strings JSON is ASCII
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
#: Characters no database here stores as text: NUL (PostgreSQL) and lone surrogates (UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")  # pairs (emoji) too: the walk tells
_MAX_NAMED = 20

log = logging.getLogger(__name__)


class JSONRefused(ValueError):
    """Readable JSON that the app refuses; `fields` maps each place (a dotted path, or `_body`) to why."""

    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class _NonFinite:
    """Stands in for NaN or ±Infinity while parsing, so that the walk can name where it was."""

    def __init__(self, text: str) -> None:
        self.text = text


def nesting_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it (in about the
    time `json.loads` takes); ValueError when something other than ASCII stands outside its strings."""
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    brackets = _STRING.sub("", unescaped).translate(_NOT_A_BRACKET)
    if not brackets.isascii():
        raise ValueError("not JSON: a character outside ASCII stands outside a string")
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def storable(text: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (UTF-8 cannot encode it)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def loads(text: str | bytes | bytearray, max_depth: int = DEFAULT_MAX_DEPTH, **kwargs: Any) -> Any:
    """`json.loads`, refusing (`JSONRefused`) deep nesting, non-finite numbers and unstorable text."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
    if nesting_depth(text) > max_depth:
        reason = _("nested deeper than %(limit)d levels", limit=max_depth)
        raise JSONRefused(_("The JSON is nested deeper than %(limit)d levels.", limit=max_depth),
                          {"_body": reason})
    non_finite: list[_NonFinite] = []

    def constant(word: str) -> _NonFinite:
        non_finite.append(_NonFinite(word))
        return non_finite[-1]

    def number(word: str) -> float | _NonFinite:
        value = float(word)
        return value if math.isfinite(value) else constant(word)

    value = json.loads(text, **{"parse_constant": constant, "parse_float": number, **kwargs})
    if non_finite or ("\\u" in text and _UNSTORABLE_ESCAPE.search(text)) or not storable(text):
        _refuse_problems(value, bool(non_finite))
    return value


def _refuse_problems(value: Any, non_finite: bool) -> None:
    fields: dict[str, str] = {}
    kinds: set[str] = set()
    stack: list[tuple[str, Any]] = [("", value)]
    while stack and len(fields) < _MAX_NAMED:
        path, item = stack.pop()
        if isinstance(item, _NonFinite):
            kinds.add("number")
            fields[path or "_body"] = _("%(value)s is not a JSON number", value=item.text)
        elif isinstance(item, str) and not storable(item):
            kinds.add("text")
            fields[path or "_body"] = _("contains a NUL character or a lone surrogate")
        elif isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{escaped(key)}" if path else escaped(key)
                if not storable(key):
                    kinds.add("text")
                    fields[where] = _("the name contains a NUL character or a lone surrogate")
                else:
                    stack.append((where, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))
    if non_finite and "number" not in kinds:  # a hook of the caller's turned the value into other objects
        kinds.add("number")
        fields["_body"] = _("%(value)s is not a JSON number", value="NaN/Infinity")
    if not fields:
        return
    if kinds == {"number"}:
        message = _("NaN and Infinity are not JSON numbers; send finite numbers.")
    elif kinds == {"text"}:
        message = _("Text may not contain NUL characters or lone surrogates (such as \\ud800).")
    else:
        message = _("The request contains numbers or text that cannot be stored.")
    raise JSONRefused(message, dict(sorted(fields.items())))


def escaped(text: str) -> str:
    """`text` with its unstorable characters written as `\\uXXXX`, for naming a place in a message."""
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON (request bodies, responses, `tojson`, the session cookie) through the strict reader,
    and written with `allow_nan=False`.

    A non-finite number can only reach a response from data stored before the reader refused it;
    such a response says `null` there (and the log says where) instead of failing the request."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, self._app.config.get("JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH), **kwargs)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        try:
            return super().dumps(obj, **kwargs)
        except ValueError as exc:
            if not str(exc).startswith("Out of range float"):
                raise
        log.warning("a response held NaN or Infinity (stored before JSON input was strict); sent as null")
        return super().dumps(_finite(obj), **kwargs)
