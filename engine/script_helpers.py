"""Everything a running model script can reach: the helper functions of docs/modelling.md, and
the guarded builtins, operators and attribute access that `scripting`'s compiler routes code through.

Task data is stored as JSON, shown in forms and compared in DMN cells, so the helpers speak ISO
strings: they accept them and return them. All times are read in the business time zone,
Asia/Shanghai, whatever zone the server runs in.
"""
from __future__ import annotations

import math
import operator
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from RestrictedPython.Guards import safer_getattr_raise
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
FORBIDDEN_ATTRS = frozenset({"mro", "format", "format_map"})


class ScriptPolicyError(PermissionError):
    """The script tried something models may not do: import, `_` names, eval, open, type(), ..."""


class ScriptLimitError(RuntimeError):
    """The script hit a budget; stopping it is better than letting it hang or swell a worker."""


@dataclass(frozen=True)
class ScriptLimits:
    """Budgets per evaluation. Every loop pass and user function call is a step; every guarded
    string/list operation charges its size. A single builtin call on deliberately nested aliases
    (e.g. comparing `[[[0]*999]*999]*999` with a copy) can still run long: keep model deployment
    with trusted people and give workers a hard timeout."""

    steps: int = 100_000
    range_items: int = 10_000
    sequence: int = 1_000_000       # items or characters one operation may produce
    allocated: int = 10_000_000     # sum of those (over 4 096 each) per run: stops doubling loops
    int_bits: int = 10_000
    seconds: float = 5.0            # checked at every step


Number = int | float


def to_moment(value: str | date | datetime) -> datetime:
    """Read a date or date-time the way a modeller means it: a bare date is midnight in Shanghai,
    and a time without an offset is Shanghai wall time (never the server's zone)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO date or date-time: {value!r}") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=BUSINESS_TZ)
        return value.astimezone(BUSINESS_TZ)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=BUSINESS_TZ)
    raise TypeError(f"expected an ISO date or date-time string, got {type(value).__name__}")


def iso(moment: datetime) -> str:
    """Always with an offset: SpiffWorkflow reads an offset-less timer date in the server's zone."""
    return to_moment(moment).isoformat()


def number(value: Any, what: str = "value") -> Number:
    """Form data may carry numbers as strings; booleans are refused because True + True is no amount."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number, not a boolean")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value) if value.strip().lstrip("+-").isdigit() else float(value)
        except ValueError:
            pass
    raise TypeError(f"{what} must be a number, got {value!r}")


def _decimal(value: Any, what: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        result = Decimal(str(number(value, what)))
    except InvalidOperation:
        result = Decimal("NaN")
    if not result.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return result


def _count(value: Any, what: str) -> str:
    """ISO durations cannot be negative, and SpiffWorkflow reads `1.5` but not `1.50e1`."""
    n = number(value, what)
    if not math.isfinite(n) or n < 0:
        raise ValueError(f"{what} must be zero or more, got {value!r}")
    if float(n).is_integer():
        return str(int(n))
    return format(Decimal(str(n)).normalize(), "f")


def iso_duration(delta: timedelta) -> str:
    """timedelta as ISO 8601, the form timer expressions and the duration helpers use."""
    sign = "-" if delta < timedelta(0) else ""
    delta = abs(delta)
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    day_part = f"{delta.days}D" if delta.days else ""
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or delta.microseconds:
        time_part += _count(seconds + delta.microseconds / 1_000_000, "seconds") + "S"
    if not (day_part or time_part):
        return "PT0S"
    return f"{sign}P{day_part}" + (f"T{time_part}" if time_part else "")


def make_helpers(clock: Callable[[], datetime]) -> dict[str, Callable[..., Any]]:
    """Bind `now()` and `today()` to the engine's clock so tests and timer runs decide what time it is."""

    def current() -> datetime:
        moment = clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(BUSINESS_TZ).replace(microsecond=0)

    def now() -> str:
        """Now in Shanghai, e.g. "2026-11-02T09:00:00+08:00"."""
        return current().isoformat()

    def today() -> str:
        """Today's date in Shanghai, e.g. "2026-11-02"."""
        return current().date().isoformat()

    return {
        "now": now,
        "today": today,
        "add_days": add_days,
        "add_hours": add_hours,
        "duration_hours": duration_hours,
        "duration_days": duration_days,
        "line_total": line_total,
        "sum_of": sum_of,
    }


def add_days(value: str | date | datetime, n: Number) -> str:
    """add_days("2026-12-01", 7) == "2026-12-08T00:00:00+08:00"."""
    return iso(to_moment(value) + timedelta(days=number(n, "days")))


def add_hours(value: str | date | datetime, n: Number) -> str:
    """add_hours("2026-12-01T09:00:00+08:00", 24) == "2026-12-02T09:00:00+08:00"."""
    return iso(to_moment(value) + timedelta(hours=number(n, "hours")))


def duration_hours(n: Number) -> str:
    """duration_hours(24) == "PT24H", for a timeDuration timer."""
    return f"PT{_count(n, 'hours')}H"


def duration_days(n: Number) -> str:
    """duration_days(14) == "P14D", for a timeDuration timer."""
    return f"P{_count(n, 'days')}D"


def _rows(items: Iterable[Mapping[str, Any]] | None) -> Iterable[Mapping[str, Any]]:
    for row in items or ():
        if row is None:
            continue
        if not isinstance(row, Mapping):
            raise TypeError(f"expected a list of objects, found {type(row).__name__}")
        yield row


def line_total(items: Iterable[Mapping[str, Any]] | None, qty: str = "quantity",
               price: str = "unit_price") -> float:
    """Money is added in decimal and rounded half-up to cents: 3 x 19.99 is 59.97, not 59.970000000000006."""
    total = sum((_decimal(row.get(qty), qty) * _decimal(row.get(price), price) for row in _rows(items)),
                Decimal(0))
    return float(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def sum_of(items: Iterable[Mapping[str, Any]] | None, field: str) -> Number:
    """Counts stay integers; amounts are added in decimal so 0.1 + 0.2 is 0.3."""
    values = [row.get(field) for row in _rows(items)]
    total = sum((_decimal(v, field) for v in values), Decimal(0))
    if all(v is None or v == "" or isinstance(number(v, field), int) for v in values):
        return int(total)
    return float(total)


# -- what the compiled code calls: guarded builtins, operators and attribute access ----------

_OPS = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod}
_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
            "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift, ">>=": operator.irshift,
            "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand, "//=": operator.ifloordiv,
            "@=": operator.imatmul}
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
            value = {115: str, 114: repr, 97: ascii}[conversion](value)
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
        first = args[0] if args else None
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
