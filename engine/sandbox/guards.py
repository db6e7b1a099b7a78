"""The budgets of one script run and the guarded builtins, operators and attribute access that
`script_compiler`'s rewritten code calls.

Budgets turn runaway loops and size bombs into a clear error early; they cannot see inside a single
C-level builtin (`str`, `==` on deliberately aliased lists), which is why scripts run in worker
processes with OS limits (`script_pool`), and why only expressions whose cost the compiler can bound
run in the server itself (`InlineRun`).
"""
from __future__ import annotations

import math
import operator
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from RestrictedPython.Guards import safer_getattr_raise
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

FORBIDDEN_ATTRS = frozenset({"mro", "format", "format_map"})


class ScriptPolicyError(PermissionError):
    """The script tried something models may not do: import, `_` names, eval, open, type(), ..."""


class ScriptLimitError(RuntimeError):
    """The script hit a budget or a limit of its worker; stopping it is better than a hung server."""


class NeedsIsolation(Exception):
    """An inline evaluation met an operation whose cost it cannot bound; run it in a worker instead."""


@dataclass(frozen=True)
class ScriptLimits:
    """Limits per evaluation. Every loop pass and user function call is a step; every guarded
    string/list operation charges its size. `seconds` and `memory` are enforced by the worker
    process whatever the script does: it is killed and replaced when it runs over."""

    steps: int = 100_000
    range_items: int = 10_000
    sequence: int = 1_000_000       # items or characters one operation may produce
    allocated: int = 10_000_000     # sum of those (over 4 096 each) per run: stops doubling loops
    int_bits: int = 10_000
    seconds: float = 5.0            # wall time; the worker is killed a moment after it
    memory: int = 512 * 1024 * 1024  # bytes of address space of a worker process
    result: int = 4 * 1024 * 1024   # characters of plain data a run may hand back (JSON size, roughly)


_OPS = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod}
_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
            "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift, ">>=": operator.irshift,
            "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand, "//=": operator.ifloordiv,
            "@=": operator.imatmul}
_CONVERSIONS: dict[int, Callable[[object], str]] = {115: str, 114: repr, 97: ascii}  # !s, !r, !a
_SEQUENCES = (str, bytes, list, tuple)
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_TEXT_METHODS = frozenset({"join", "replace", "ljust", "rjust", "center", "zfill", "expandtabs", "translate"})
_SIZE_METHODS = _TEXT_METHODS | {"to_bytes", "strftime", "extend", "sort"}


def _width(digits: str) -> int:
    return int(digits) if len(digits) < 10 else 10 ** 10


class ScriptRun:
    """Budgets and guards for one evaluation; a fresh one per call, so no run inherits another's spend."""

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self.steps = self.allocated = 0
        self.deadline = time.perf_counter() + limits.seconds

    # -- budgets ---------------------------------------------------------------------------------

    def tick(self) -> bool:
        self.steps += 1
        if self.steps > self.limits.steps:  # stays exceeded, so a script's `except` cannot loop on
            raise ScriptLimitError(f"script stopped after {self.limits.steps} loop passes and function calls")
        if time.perf_counter() > self.deadline:
            raise ScriptLimitError(f"script stopped after running for {self.limits.seconds} s")
        return True

    def charge(self, size: int, what: str) -> None:
        if size > self.limits.sequence:
            raise ScriptLimitError(f"{what} of {size} items or characters is over the limit of "
                                   f"{self.limits.sequence}")
        if size >= 4096:
            self.allocated += size
            if self.allocated > self.limits.allocated:
                raise ScriptLimitError(f"script built more than {self.limits.allocated} items or characters")

    def bits(self, size: float, what: str) -> None:
        if size > self.limits.int_bits:
            raise ScriptLimitError(f"{what} of about {int(size)} bits is over the limit of "
                                   f"{self.limits.int_bits}")

    # -- loops and calls -------------------------------------------------------------------------

    def iterate(self, iterable: Iterable[Any]) -> Iterable[Any]:
        for item in iterable:
            self.tick()
            yield item

    @overload
    def counted(self, func: Callable[..., Any]) -> Callable[..., Any]: ...
    @overload
    def counted(self, func: None) -> None: ...

    def counted(self, func: Callable[..., Any] | None) -> Callable[..., Any] | None:
        """Builtins that call back (map, sorted's key, ...) loop in C, out of the iterate() guard's sight."""
        if func is None:
            return None

        def call(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            return func(*args, **kwargs)
        return call

    def keyed(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, key: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
            return func(*args, **kwargs) if key is None else func(*args, key=self.counted(key), **kwargs)
        return call

    def map(self, func: Callable[..., Any], *iterables: Iterable[Any]) -> Any:
        return map(self.counted(func), *iterables)

    def filter(self, func: Callable[..., Any] | None, iterable: Iterable[Any]) -> Any:
        return filter(self.counted(func), iterable)

    def range(self, *args: int) -> range:
        result = range(*args)
        size: float
        try:
            size = len(result)
        except OverflowError:
            size = math.inf
        if size > self.limits.range_items:
            raise ScriptLimitError(f"range() of {size} numbers is over the limit of "
                                   f"{self.limits.range_items}")
        return result

    def sum(self, iterable: Iterable[Any], start: Any = 0) -> Any:
        if not isinstance(start, (int, float)):  # sum(lists, []) copies quadratically, in C
            raise TypeError("sum() adds numbers; join lists with a comprehension")
        return sum(iterable, start)

    # -- operators -------------------------------------------------------------------------------

    def binop(self, symbol: str, left: Any, right: Any) -> Any:
        if (type(left) is int and type(right) is int and symbol in "+*"  # the common case, kept cheap
                and left.bit_length() + right.bit_length() <= self.limits.int_bits):
            return left + right if symbol == "+" else left * right
        self.check(symbol, left, right)
        return _OPS[symbol](left, right)

    def inplace(self, symbol: str, target: Any, value: Any) -> Any:
        if symbol[:-1] in _OPS:
            self.check(symbol[:-1], target, value)
        return _INPLACE[symbol](target, value)

    def check(self, symbol: str, a: Any, b: Any) -> None:
        """Refuse before computing: `10**10**10` or `"a" * 10**10` cannot be interrupted once started."""
        ints = isinstance(a, int) and isinstance(b, int)
        if symbol == "**" and ints and b > 0 and abs(a) > 1:
            self.bits(b * math.log2(abs(a)) if b <= self.limits.int_bits else b, "a power")
        elif symbol == "*" and ints:
            self.bits(a.bit_length() + b.bit_length(), "a product")
        elif symbol == "*" and isinstance(a, _SEQUENCES) and isinstance(b, int):
            self.charge(len(a) * max(b, 0), "a repeated sequence")
        elif symbol == "*" and isinstance(b, _SEQUENCES) and isinstance(a, int):
            self.charge(len(b) * max(a, 0), "a repeated sequence")
        elif symbol == "<<" and ints and a and b > 0:
            self.bits(a.bit_length() + b, "a shifted number")
        elif symbol == "+" and ints:
            self.bits(max(a.bit_length(), b.bit_length()), "a sum")
        elif symbol == "+" and isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self.charge(len(a) + len(b), "a concatenation")
        elif symbol == "%" and isinstance(a, (str, bytes)):
            pattern = a if isinstance(a, str) else a.decode("latin-1")
            fields = [part for field in _PERCENT_FIELD.findall(pattern) for part in field if part]
            for part in fields:
                if part != "*":
                    self.charge(_width(part), "a formatted field")
            if "*" in fields:
                for arg in b if isinstance(b, tuple) else (b,):
                    if isinstance(arg, int):
                        self.charge(abs(arg), "a formatted field")

    def format(self, value: Any, conversion: int, spec: str) -> str:
        if conversion != -1:
            value = _CONVERSIONS[conversion](value)
        for digits in re.findall(r"\d+", spec):
            self.charge(_width(digits), "a formatted field")
        return format(value, spec)

    def sized(self, value: Any) -> Any:
        if not hasattr(value, "__len__"):
            value = list(self.iterate(value))
        self.charge(len(value), "a string or unpacked sequence")
        return value

    # -- attributes ------------------------------------------------------------------------------

    def getattr(self, obj: Any, name: str) -> Any:
        if name.startswith("_") or name in INSPECT_ATTRIBUTES or name in FORBIDDEN_ATTRS:
            raise ScriptPolicyError(f"attribute '{name}' is not allowed in model scripts")
        cls = obj if isinstance(obj, type) else type(obj)
        if name in ("now", "today", "utcnow") and issubclass(cls, date):  # the server's clock and zone
            raise ScriptPolicyError(f"'{cls.__name__}.{name}()' is not allowed in model scripts; "
                                    "use now() or today()")
        try:  # safer_getattr_raise: a missing attribute is an error, not a silent None
            value = safer_getattr_raise(obj, name)
        except NotImplementedError as exc:
            raise ScriptPolicyError(f"{exc}; use an f-string in model scripts") from None
        if name in _SIZE_METHODS and issubclass(cls, (str, bytes, int, date, list)) and callable(value):
            if isinstance(obj, type):  # str.ljust("a", 5): the instance comes first
                return lambda target, *a, **kw: self.getattr(target, name)(*a, **kw)
            return lambda *args, **kwargs: self.sized_call(obj, name, value, *args, **kwargs)
        return value

    def sized_call(self, obj: Any, name: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Methods whose result can dwarf their input, checked against the budget before they run."""
        first: Any = args[0] if args else None
        if name == "join":
            args = (list(first),)
            parts = sum(len(part) for part in args[0] if isinstance(part, (str, bytes)))
            self.charge(parts + len(obj) * max(len(args[0]) - 1, 0), "a joined string")
        elif name == "replace" and isinstance(obj, (str, bytes)) and len(args) >= 2:
            count = obj.count(first) if first else len(obj) + 1
            if len(args) > 2 and args[2] >= 0:
                count = min(count, args[2])
            self.charge(len(obj) + count * max(len(args[1]) - len(first), 0), "a replaced string")
        elif name in ("ljust", "rjust", "center", "zfill", "to_bytes"):
            self.charge(first if isinstance(first, int) else kwargs.get("length", kwargs.get("width", 0)),
                        f"{name}()")
        elif name == "expandtabs":
            tabs = first if isinstance(first, int) else kwargs.get("tabsize", 8)
            self.charge(len(obj) * max(tabs, 1), "expandtabs()")
        elif name == "translate" and isinstance(first, Mapping):
            longest = max((len(v) for v in first.values() if isinstance(v, (str, bytes))), default=1)
            self.charge(len(obj) * longest, "translate()")
        elif name == "strftime" and isinstance(first, str):
            for digits in re.findall(r"\d+", first):
                self.charge(_width(digits), "a formatted field")
        elif name == "extend":
            args = (first if hasattr(first, "__len__") else list(first),)
            self.charge(len(obj) + len(args[0]), "a list")
        elif name == "sort" and kwargs.get("key") is not None:
            kwargs["key"] = self.counted(kwargs["key"])
        return method(*args, **kwargs)


class InlineRun(ScriptRun):
    """Guards for the expressions `script_compiler` lets run in the server: no loops, no calls but
    a few bounded helpers, so every operation costs at most about the size of the case data, except
    building sequences, which is what aliasing attacks and size bombs need: those go to a worker."""

    SEQUENCE = 100_000
    RESULT = 256 * 1024  # characters of data an inline run hands back; copying more is a worker's job

    def charge(self, size: int, what: str) -> None:
        if size > self.SEQUENCE:
            raise NeedsIsolation(what)
        super().charge(size, what)

    def binop(self, symbol: str, left: Any, right: Any) -> Any:
        containers = (list, tuple, dict, set, frozenset)
        if isinstance(left, containers) or isinstance(right, containers) or (
                symbol == "%" and isinstance(left, (str, bytes))):  # "%s" % x formats any object's repr
            raise NeedsIsolation(f"{symbol} on a {type(left).__name__}")
        return super().binop(symbol, left, right)
