"""The expression language of form rules: a process owner's arithmetic over the case's fields.

Rules are model data that an administrator uploads and a process owner edits, and they run inside
every completion, so they get their own tiny language instead of the script sandbox: a Python
expression parsed with `ast`, of which only names, literals, `+ - * /`, comparisons, `and/or/not`,
`in`, and calls of the functions below are accepted; anything else is refused when the model is
deployed. An expression is compiled once into closures. Numbers are computed in decimal, so
3 × 19.99 is 59.97 as the credit amount computed by `line_total` is; arithmetic works on numbers
only, so a submitted string can never be repeated into a large one.
"""
from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine.sandbox.functions import add_days, line_total, sum_of, to_moment

Scope = Callable[[str], Any]


class RuleError(ValueError):
    """A value the rule cannot work with (a missing field, text where a number belongs)."""


class Context:
    """What one evaluation reads: the fields (innermost row first), the current time, and the
    business time zone that dates are read in."""

    __slots__ = ("lookup", "now", "zone")

    def __init__(self, lookup: Scope, now: datetime, zone: ZoneInfo) -> None:
        self.lookup, self.now, self.zone = lookup, now, zone


def number(value: Any) -> Any:
    """JSON numbers as Decimal (booleans stay booleans); everything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise RuleError(f"{value!r} is not a finite number")
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _decimal(value: Any, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise RuleError(f"{what} needs numbers, got {type(value).__name__}")
    return value


def moment(value: Any, zone: ZoneInfo) -> datetime:
    if not isinstance(value, str):
        raise RuleError(f"expected an ISO date or date-time, got {type(value).__name__}")
    try:
        return to_moment(value, zone)
    except (TypeError, ValueError) as exc:
        raise RuleError(str(exc)) from None


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _today(ctx: Context) -> str:
    return ctx.now.astimezone(ctx.zone).date().isoformat()


def _now(ctx: Context) -> str:
    return ctx.now.astimezone(ctx.zone).replace(microsecond=0).isoformat()


def _date(ctx: Context, value: Any) -> str:
    return moment(value, ctx.zone).date().isoformat()


def _add_days(ctx: Context, value: Any, days: Any) -> str:
    moment(value, ctx.zone)
    return add_days(value, _plain(_decimal(days, "add_days")), ctx.zone)


def _rows(value: Any) -> list[Any]:
    if not isinstance(value, list) or not all(isinstance(row, Mapping) for row in value):
        raise RuleError("expected a list of rows")
    return value


def _sum_of(ctx: Context, items: Any, field: Any) -> Decimal:
    try:
        return number(sum_of(_rows(items), str(field)))
    except (TypeError, ValueError) as exc:
        raise RuleError(str(exc)) from None


def _line_total(ctx: Context, items: Any, qty: Any = "quantity", price: Any = "unit_price") -> Decimal:
    try:
        return number(line_total(_rows(items), str(qty), str(price)))
    except (TypeError, ValueError) as exc:
        raise RuleError(str(exc)) from None


def _len(ctx: Context, value: Any) -> Decimal:
    if not isinstance(value, (list, str)):
        raise RuleError("len() needs a list or a text")
    return Decimal(len(value))


def _min(ctx: Context, *values: Any) -> Any:
    return min(_decimal(v, "min") for v in values)


def _max(ctx: Context, *values: Any) -> Any:
    return max(_decimal(v, "max") for v in values)


def _abs(ctx: Context, value: Any) -> Decimal:
    return abs(_decimal(value, "abs"))


def _round(ctx: Context, value: Any, digits: Any = Decimal(0)) -> Decimal:
    places = int(_decimal(digits, "round"))
    if not 0 <= places <= 10:
        raise RuleError("round() keeps 0 to 10 decimals")
    return _decimal(value, "round").quantize(Decimal(1).scaleb(-places))


#: name → (function, fewest arguments, most arguments)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "today": (_today, 0, 0), "now": (_now, 0, 0), "date": (_date, 1, 1), "add_days": (_add_days, 2, 2),
    "sum_of": (_sum_of, 2, 2), "line_total": (_line_total, 1, 3), "len": (_len, 1, 1),
    "min": (_min, 1, 20), "max": (_max, 1, 20), "abs": (_abs, 1, 1), "round": (_round, 1, 2),
}

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
               ast.Div: operator.truediv}
_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_MAX_LENGTH = 500


class Expression:
    """One compiled expression; `names` are the fields it reads."""

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ValueError("an expression must be a non-empty string")
        if len(text) > _MAX_LENGTH:
            raise ValueError(f"an expression may be at most {_MAX_LENGTH} characters")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"{text!r} is not an expression: {exc.msg}") from None
        self.text = text
        self.names: set[str] = set()
        self._run = self._compile(tree.body)
        #: the field the expression is, when it is just one field (`quantity`): errors name it
        self.single_name = tree.body.id if isinstance(tree.body, ast.Name) and self.names else None

    def __call__(self, ctx: Context) -> Any:
        try:
            return self._run(ctx)
        except RuleError:
            raise
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise RuleError(str(exc)) from None

    # -- compiling -------------------------------------------------------------------------------

    def _compile(self, node: ast.AST) -> Callable[[Context], Any]:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ValueError(f"{self.text!r}: {type(node).__name__} is not allowed in a rule")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Callable[[Context], Any]:
        if node.value is not None and not isinstance(node.value, (bool, int, float, str)):
            raise ValueError(f"{self.text!r}: {node.value!r} is not allowed in a rule")
        value = number(node.value)
        return lambda ctx: value

    def _Name(self, node: ast.Name) -> Callable[[Context], Any]:
        if node.id in ("True", "False", "None"):
            value = {"True": True, "False": False, "None": None}[node.id]
            return lambda ctx: value
        if node.id.startswith("_"):
            raise ValueError(f"{self.text!r}: names starting with _ are not allowed")
        name = node.id
        self.names.add(name)
        return lambda ctx: number(ctx.lookup(name))

    def _Tuple(self, node: ast.Tuple | ast.List) -> Callable[[Context], Any]:
        parts = [self._compile(e) for e in node.elts]
        return lambda ctx: tuple(part(ctx) for part in parts)

    _List = _Tuple

    def _UnaryOp(self, node: ast.UnaryOp) -> Callable[[Context], Any]:
        operand = self._compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda ctx: not operand(ctx)
        if isinstance(node.op, ast.USub):
            return lambda ctx: -_decimal(operand(ctx), "-")
        if isinstance(node.op, ast.UAdd):
            return lambda ctx: _decimal(operand(ctx), "+")
        raise ValueError(f"{self.text!r}: {type(node.op).__name__} is not allowed in a rule")

    def _BinOp(self, node: ast.BinOp) -> Callable[[Context], Any]:
        op = _ARITHMETIC.get(type(node.op))
        if op is None:
            raise ValueError(f"{self.text!r}: only + - * / are allowed in a rule")
        left, right = self._compile(node.left), self._compile(node.right)
        return lambda ctx: op(_decimal(left(ctx), "arithmetic"), _decimal(right(ctx), "arithmetic"))

    def _BoolOp(self, node: ast.BoolOp) -> Callable[[Context], Any]:
        parts = [self._compile(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda ctx: all(part(ctx) for part in parts)
        return lambda ctx: any(part(ctx) for part in parts)

    def _Compare(self, node: ast.Compare) -> Callable[[Context], Any]:
        first = self._compile(node.left)
        steps = [(self._comparison(op), self._compile(right))
                 for op, right in zip(node.ops, node.comparators)]

        def compare(ctx: Context) -> bool:
            left = first(ctx)
            for test, right in steps:
                value = right(ctx)
                if not test(left, value):
                    return False
                left = value
            return True
        return compare

    def _comparison(self, op: ast.cmpop) -> Callable[[Any, Any], bool]:
        if isinstance(op, ast.Eq):
            return operator.eq
        if isinstance(op, ast.NotEq):
            return operator.ne
        if isinstance(op, (ast.In, ast.NotIn)):
            negate = isinstance(op, ast.NotIn)

            def contains(left: Any, right: Any) -> bool:
                text_in_text = not isinstance(right, str) or isinstance(left, str)
                if not isinstance(right, (tuple, list, str)) or not text_in_text:
                    raise RuleError("`in` needs a list or a text on its right")
                return (left not in right) if negate else (left in right)
            return contains
        order = _ORDER.get(type(op))
        if order is None:
            raise ValueError(f"{self.text!r}: {type(op).__name__} is not allowed in a rule")

        def ordered(left: Any, right: Any) -> bool:
            if not (isinstance(left, Decimal) and isinstance(right, Decimal)
                    or isinstance(left, str) and isinstance(right, str)):
                raise RuleError(f"cannot compare {type(left).__name__} with {type(right).__name__}")
            return order(left, right)
        return ordered

    def _Call(self, node: ast.Call) -> Callable[[Context], Any]:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or node.keywords:
            raise ValueError(f"{self.text!r}: only the functions {', '.join(sorted(FUNCTIONS))} "
                             "may be called, with plain arguments")
        func, fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            raise ValueError(f"{self.text!r}: {name}() takes {fewest} to {most} arguments")
        args = [self._compile(a) for a in node.args]
        return lambda ctx: func(ctx, *(a(ctx) for a in args))
