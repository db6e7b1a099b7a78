"""The ISO 8601 rule of a timer start event as a sequence of periods: `R[n]/<start>/<duration>`
(a cycle) or one date-time. Months and years step by the calendar from the start (the 31st of a
month falls on the last day of a shorter one), not by SpiffWorkflow's fixed number of seconds, so a
monthly rule stays on its day and hour."""
from __future__ import annotations

import ast
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

CYCLE, DATE = "cycle", "date"


class TimerRuleError(ValueError):
    """The rule is not one a schedule can follow (the message says why)."""


@dataclass(frozen=True)
class TimerRule:
    kind: str  # cycle, date
    text: str
    start: datetime
    months: int = 0
    step: timedelta = timedelta(0)
    cycles: int = 1  # -1: unbounded

    def period(self, index: int) -> datetime:
        """The start of period `index` (0 is the rule's start)."""
        if index == 0 or self.kind == DATE:
            return self.start
        moved = _add_months(self.start, self.months * index) if self.months else self.start
        return moved + self.step * index

    def last_index(self) -> int | None:
        return None if self.cycles < 0 else self.cycles - 1

    def index_at_or_before(self, moment: datetime) -> int:
        """The last period starting at or before `moment` (-1: none has started)."""
        if moment < self.start:
            return -1
        if self.kind == DATE:
            return 0
        approx = timedelta(days=30.436875 * self.months) + self.step
        index = max(0, int((moment - self.start) / approx) - 1)
        while self.period(index + 1) <= moment:
            index += 1
        while index > 0 and self.period(index) > moment:
            index -= 1
        last = self.last_index()
        return index if last is None else min(index, last)

    def first_at_or_after(self, moment: datetime) -> datetime | None:
        """The first period starting at or after `moment`; None when the rule has run out."""
        index = self.index_at_or_before(moment)
        if index >= 0 and self.period(index) == moment:
            return moment
        following = index + 1
        last = self.last_index()
        if self.kind == DATE:
            return self.start if moment <= self.start else None
        return None if last is not None and following > last else self.period(following)

    def describe(self) -> dict[str, Any]:
        """The rule as facts the web layer puts in words: kind, count, start, step by unit."""
        parts = {"months": self.months, "days": self.step.days,
                 "hours": self.step.seconds // 3600, "minutes": self.step.seconds % 3600 // 60}
        return {"kind": self.kind, "cycles": self.cycles, "start": self.start.isoformat(),
                "every": {k: v for k, v in parts.items() if v}}


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _moment(text: str) -> datetime:
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise TimerRuleError(f"{text!r} is not an ISO date-time") from None
    if found.tzinfo is None:
        raise TimerRuleError(f"{text!r} has no UTC offset (write it as e.g. 2026-01-01T02:00:00+08:00)")
    return found


def literal_rule(expression: str) -> str:
    """The rule a timer start event's expression states: it must be a quoted text, since the schedule
    is known at deploy, before any case data exists."""
    try:
        value = ast.literal_eval(expression.strip())
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, str):
        raise TimerRuleError("the timer of a start event must be a quoted ISO text, "
                             f"not {expression.strip()!r}")
    return value


def parse_rule(kind: str, text: str) -> TimerRule:
    """A cycle `R[n]/<start>/<duration>` or a date-time (`kind` date); TimerRuleError says what is wrong."""
    if kind == DATE:
        return TimerRule(DATE, text, _moment(text))
    parts = text.strip().split("/")
    if len(parts) != 3 or not parts[0].upper().startswith("R") or not parts[2].upper().startswith("P"):
        raise TimerRuleError(f"{text!r}: a schedule's cycle is R[n]/<start date-time>/<duration>")
    count = parts[0][1:]
    if count and not count.isdigit():
        raise TimerRuleError(f"{text!r}: the repetitions must be a whole number")
    try:
        duration = TimerEventDefinition.parse_iso_duration(parts[2])
    except Exception:  # SpiffWorkflow raises a bare Exception for a bad duration
        raise TimerRuleError(f"{parts[2]!r} is not an ISO duration") from None
    months = int(duration.pop("years", 0)) * 12 + int(duration.pop("months", 0))
    step = timedelta(**{k: v for k, v in duration.items()})
    if months == 0 and step < timedelta(minutes=1):
        raise TimerRuleError(f"{text!r}: a schedule repeats at most once a minute")
    cycles = int(count) if count else -1
    if cycles == 0:
        raise TimerRuleError(f"{text!r}: R0 never fires")
    return TimerRule(CYCLE, text, _moment(parts[1]), months, step, cycles)
