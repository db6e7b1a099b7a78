"""Injectable time for the engine, including the clock SpiffWorkflow's timers read.

SpiffWorkflow 3.2 evaluates timers with `datetime.now(timezone.utc)` inside its timer module and has
no hook for it. We replace that module's `datetime` name once with a subclass whose `now()` asks
the clock of the command being run (a context variable), so tests and `fire_due_timers(now)` decide
what time it is, and the wall clock is used everywhere else.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable, Iterator, Protocol

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _spiff_timer

TIMER_EVENTS = frozenset({"TimeDateEventDefinition", "DurationTimerEventDefinition",
                          "CycleTimerEventDefinition"})


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that only moves when told to: the tests' and benchmarks' time source."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current = self.current + timedelta(**delta)
        return self.current

    def set(self, value: datetime) -> None:
        self.current = value


_active_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("opsflow_clock", default=None)


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # a plain datetime, not Self
        clock = _active_clock.get()
        if clock is None:
            return datetime.now(tz)
        value = clock()
        return value.astimezone(tz) if tz is not None else value.astimezone(timezone.utc).replace(tzinfo=None)


_spiff_timer.datetime = _ClockDatetime


@contextlib.contextmanager
def clock_in_effect(clock: Callable[[], datetime]) -> Iterator[None]:
    """Make SpiffWorkflow's timers read `clock` for the duration of one command."""
    token = _active_clock.set(clock)
    try:
        yield
    finally:
        _active_clock.reset(token)


def next_timer(workflow: Any) -> datetime | None:
    """When the earliest waiting timer is due, read exactly as SpiffWorkflow will read it.

    A date timer's event type is `TimeDateEventDefinition` (no "Timer" in it), its value may be an
    ISO week date, and a value without an offset is in SpiffWorkflow's local zone; a cycle timer
    shows its next time as a string and only a finished cycle as a dict.
    """
    dues = []
    for event in workflow.waiting_events():
        if event.event_type not in TIMER_EVENTS or not isinstance(event.value, str):
            continue
        try:
            due = _spiff_timer.TimerEventDefinition.parse_time_or_duration(event.value)
        except Exception:  # the library raises bare Exception, ValueError or AttributeError here
            continue
        if isinstance(due, datetime):  # the patched class of that module: hand back a plain datetime
            dues.append(datetime.fromtimestamp(due.timestamp(), timezone.utc))
    return min(dues) if dues else None
