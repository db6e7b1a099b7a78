"""What may leave a model script: plain JSON data, copied, bounded, storable and without addresses.

Every value a script or expression hands back (a variable for the case data, a DMN output, a timer
date, a condition) passes through `export`, in the worker process and in the server alike. It is a
fresh tree of str / int / finite float / bool / None / list / dict with str keys, so no aliasing
survives (a list holding itself twice, sixty levels deep, is 2^60 items once unfolded: the copy
stops at the `result` limit instead of unfolding it). Strings that cannot be stored (NUL, unpaired
surrogates) are refused; the address part of an object's repr (`<function f at 0x7f...>`, what
`str(e.with_traceback)` gives) is cut, so no memory address reaches case data or an error message.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from .functions import iso_duration
from .guards import ScriptLimitError

MAX_DEPTH = 100
MAX_INT_BITS = 13_000  # about 4 000 digits: Python converts at most 4 300 to text, and JSON is text
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class NotPlainData(TypeError):
    """A value that has no JSON form (a generator, a function, ...): it stays a script-local temporary."""


def without_addresses(text: str) -> str:
    """`<built-in method with_traceback of TypeError object at 0x7f3a...>` without its address."""
    return _ADDRESS.sub("", text) if "0x" in text else text


def storable_text(text: str, limit: int = 2000) -> str:
    """An error message as it may be stored and shown: no addresses, no NUL, no unpaired
    surrogates, and not the megabyte a script may have put into it."""
    text = text if len(text) <= limit else text[:limit] + "…"
    return _UNSTORABLE.sub("\ufffd", without_addresses(text))


class Budget:
    """Characters of JSON (roughly) that one run may still hand back."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.left = self.limit = limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise ScriptLimitError(f"the script's data is over the limit of {self.limit} characters")


def export(value: Any, budget: Budget, what: str, depth: int = 0) -> Any:
    """A plain copy of `value`; `what` names it in errors ("'total'", "the expression's value").

    Dates become ISO strings, durations ISO durations, tuples and sets lists, as JSON would.
    Raises NotPlainData for values with no JSON form, ValueError for values that cannot be stored.
    """
    kind = type(value)
    if kind is str:
        return _text(value, budget, what)
    if value is None or kind is bool:
        budget.spend(5)
        return value
    if kind is int or kind is float:
        return _number(value, budget, what)
    if kind is dict:
        return _object(value, budget, what, depth)
    if kind is list or kind is tuple:
        return _array(value, budget, what, depth)
    if isinstance(value, str):
        return _text(str(value), budget, what)
    if isinstance(value, bool):
        return export(bool(value), budget, what)
    if isinstance(value, int):
        return _number(int(value), budget, what)
    if isinstance(value, float):
        return _number(float(value), budget, what)
    if isinstance(value, (date, datetime)):
        return _text(value.isoformat(), budget, what)
    if isinstance(value, timedelta):
        return _text(iso_duration(value), budget, what)
    if isinstance(value, dict):
        return _object(value, budget, what, depth)
    if isinstance(value, (list, tuple, set, frozenset)):
        return _array(value, budget, what, depth)
    raise NotPlainData(f"{kind.__name__} values cannot be stored in task data")


def _text(value: str, budget: Budget, what: str) -> str:
    budget.spend(len(value) + 2)
    if _UNSTORABLE.search(value):
        raise ValueError(f"{what} holds a NUL character or an unpaired surrogate, which cannot be stored")
    return _ADDRESS.sub("", value) if "0x" in value else value


def _number(value: int | float, budget: Budget, what: str) -> int | float:
    if isinstance(value, float):  # callers pass exact ints and floats
        budget.spend(24)
        if not math.isfinite(value):
            raise ValueError(f"{what} is {value}, not a finite number")
        return value
    bits = value.bit_length()
    budget.spend(bits // 3 + 2)
    if bits > MAX_INT_BITS:
        raise ValueError(f"{what} is a number of more than 4 000 digits")
    return value


def _deeper(depth: int, what: str) -> int:
    if depth >= MAX_DEPTH:
        raise ValueError(f"{what} is nested more than {MAX_DEPTH} levels deep")
    return depth + 1


def _object(value: Any, budget: Budget, what: str, depth: int) -> dict[str, Any]:
    depth = _deeper(depth, what)
    budget.spend(2)
    copy = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{what} has a key of type {type(key).__name__}: keys must be strings")
        copy[_text(str(key), budget, what)] = _text(item, budget, what) if type(item) is str else \
            export(item, budget, what, depth)
    return copy


def _array(value: Any, budget: Budget, what: str, depth: int) -> list[Any]:
    depth = _deeper(depth, what)
    budget.spend(2)
    return [_text(item, budget, what) if type(item) is str else export(item, budget, what, depth)
            for item in value]
