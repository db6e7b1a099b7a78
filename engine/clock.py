"""Injectable time for the engine, including the clock SpiffWorkflow's timers read.

SpiffWorkflow 3.2 evaluates timers with `datetime.now(timezone.utc)` inside its timer module and has
no hook for it. We replace that module's `datetime` name once with a subclass whose `now()` asks
the clock of the command being run (a context variable), so tests and `fire_due_timers(now)` decide
what time it is, and the wall clock is used everywhere else.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator, Protocol

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _spiff_timer


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
    def now(cls, tz=None):  # type: ignore[override]
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
