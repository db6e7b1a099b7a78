"""Record ids and other whole numbers as they arrive in URLs and forms: digits within the schema's range.

Every id column is an `Integer`, which PostgreSQL stores in 32 bits and SQLite in 64: a larger number
made the database driver fail (a 500) where no row can exist (a 404). The app's `int` URL converter
is replaced by `RecordIdConverter`, so every `<int:...>` rule of every blueprint, present or future,
answers 404 beyond the range without a line in the view.

The range is in the converter's regular expression, not only in its `to_python`: Werkzeug answers a
path that matched but whose converter then refused it with 405 when the same path has a rule for
another method (POST /tasks/<huge> because GET /tasks/<int> exists); a path that does not match is
a plain 404.
"""
from __future__ import annotations

from typing import Any, Iterable

from werkzeug.routing import IntegerConverter, Map

#: The largest value of an `Integer` column on every backend (PostgreSQL's INTEGER).
MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
_DIGITS = frozenset("0123456789")


def record_id(text: Any) -> int | None:
    """`text` as an id (ASCII digits, 1 to MAX_INT), or None."""
    if not isinstance(text, str) or not text or len(text) > 10 or not _DIGITS.issuperset(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_INT else None


def record_ids(values: Iterable[Any]) -> list[int]:
    """The ids among `values` (e.g. the checked boxes of a bulk form), the unreadable ones left out."""
    return [i for i in map(record_id, values) if i is not None]


def digits_not_above(limit: int) -> str:
    """A regular expression matching the decimal numbers from 0 to `limit` (a non-negative int)."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "(?:" + "|".join(options) + ")"


class RecordIdConverter(IntegerConverter):
    """`<int:...>` for ids: ASCII digits only, and at most MAX_INT unless the rule says otherwise."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_INT,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if max is not None and max >= 0:
            self.regex = ("-?" if signed else "") + digits_not_above(max)


def init_app(app: Any) -> None:
    """Install the converter; call before the blueprints are registered (rules bind it when added)."""
    app.url_map.converters["int"] = RecordIdConverter
