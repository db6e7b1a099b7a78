"""The helper functions a model script can call (see docs/modelling.md).

Task data is stored as JSON, shown in forms and compared in DMN cells, so the helpers speak ISO
strings: they accept them and return them. All times are read in the business time zone the engine
is given (`Engine(zone=...)`, UTC without one), whatever zone the server runs in.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

#: The business time zone of an engine that is given none.
DEFAULT_ZONE = ZoneInfo("UTC")
Number = int | float


def to_moment(value: str | date | datetime, zone: ZoneInfo) -> datetime:
    """Read a date or date-time the way a modeller means it: a bare date is midnight in the business
    time zone, and a time without an offset is wall time there (never the server's zone)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO date or date-time: {value!r}") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=zone)
        return value.astimezone(zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    raise TypeError(f"expected an ISO date or date-time string, got {type(value).__name__}")


def iso(moment: datetime, zone: ZoneInfo) -> str:
    """Always with an offset: SpiffWorkflow reads an offset-less timer date in the server's zone."""
    return to_moment(moment, zone).isoformat()


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


def make_helpers(clock: Callable[[], datetime],
                 zone: ZoneInfo = DEFAULT_ZONE) -> dict[str, Callable[..., Any]]:
    """Bind `now()` and `today()` to the engine's clock so tests and timer runs decide what time it is,
    and every helper to the business time zone."""

    def current() -> datetime:
        moment = clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(zone).replace(microsecond=0)

    def now() -> str:
        """Now in the business time zone, e.g. "2026-11-02T09:00:00+08:00"."""
        return current().isoformat()

    def today() -> str:
        """Today's date in the business time zone, e.g. "2026-11-02"."""
        return current().date().isoformat()

    def add_days(value: str | date | datetime, n: Number) -> str:
        """add_days("2026-12-01", 7) == "2026-12-08T00:00:00+08:00" in Shanghai."""
        return shifted(value, timedelta(days=number(n, "days")), zone)

    def add_hours(value: str | date | datetime, n: Number) -> str:
        """add_hours("2026-12-01T09:00:00+08:00", 24) == "2026-12-02T09:00:00+08:00"."""
        return shifted(value, timedelta(hours=number(n, "hours")), zone)

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


def shifted(value: str | date | datetime, delta: timedelta, zone: ZoneInfo) -> str:
    return iso(to_moment(value, zone) + delta, zone)


def add_days(value: str | date | datetime, n: Number, zone: ZoneInfo) -> str:
    """add_days("2026-12-01", 7, Shanghai) == "2026-12-08T00:00:00+08:00"; scripts call it without
    the zone (`make_helpers` binds the engine's)."""
    return shifted(value, timedelta(days=number(n, "days")), zone)


def add_hours(value: str | date | datetime, n: Number, zone: ZoneInfo) -> str:
    """add_hours("2026-12-01T09:00:00+08:00", 24, Shanghai) == "2026-12-02T09:00:00+08:00"."""
    return shifted(value, timedelta(hours=number(n, "hours")), zone)


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
