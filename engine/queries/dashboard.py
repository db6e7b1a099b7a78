"""The supervisor dashboard's figures, computed in SQL over the task, case and event tables.

Where is work piling up (open tasks by role and store, with overdue counts), how do cases end (by
process and status), how long they take (cycle time median and p90), where the time goes (waiting
before someone takes a step versus working on it, per step: the bottleneck), whether steps meet
their due times (SLA compliance), and the weekly flow in and out.

Everything is SQL that SQLite and PostgreSQL both run: counts are grouped in the database, durations
come from a per-dialect epoch expression, weeks from integer arithmetic on epoch seconds in the
viewer's UTC offset. Percentiles (nearest rank: the value at rank ceil(p * n)) are taken in Python
over the durations alone, fetched through the period indexes below: measured at 100k cases this
beats window functions on both backends, and SQLite has no percentile aggregate. No workflow is
ever deserialized.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessDefinition, ProcessInstance, Store

EPOCH_MONDAY = 345600  # 1970-01-05 00:00, the first Monday after the epoch, in seconds
WEEK = 604800
HOUR = 3600.0


@dataclass(frozen=True)
class DashboardFilter:
    """Process, region, and the period [start, end) that historical figures look at."""

    process: str | None = None
    region: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class OpenCount:
    key: str | None
    label: str
    open: int
    overdue: int
    unassigned: int = 0


@dataclass(frozen=True)
class StatusCount:
    process_key: str
    process_name: str
    status: str
    cases: int


@dataclass(frozen=True)
class CycleTime:
    process_key: str
    process_name: str
    cases: int
    avg_hours: float
    p50_hours: float
    p90_hours: float


@dataclass(frozen=True)
class StepTime:
    """Waiting is created → claimed (nobody has taken it); working is claimed → completed."""

    process_key: str
    element_id: str
    name: str
    tasks: int
    wait_p50: float
    wait_p90: float
    wait_avg: float
    work_p50: float
    work_p90: float
    work_avg: float
    role: str | None = None

    @property
    def total_p50(self) -> float:
        return self.wait_p50 + self.work_p50


@dataclass(frozen=True)
class SlaRow:
    process_key: str
    element_id: str
    name: str
    with_due: int
    on_time: int
    open_overdue: int
    role: str | None = None

    @property
    def late(self) -> int:
        return self.with_due - self.on_time

    @property
    def rate(self) -> float | None:
        return self.on_time / self.with_due if self.with_due else None


@dataclass(frozen=True)
class WeekCount:
    week: date
    started: int
    finished: int


@dataclass(frozen=True)
class Dashboard:
    filter: DashboardFilter
    generated_at: datetime
    open_by_role: list[OpenCount] = field(default_factory=list)
    open_by_store: list[OpenCount] = field(default_factory=list)
    by_status: list[StatusCount] = field(default_factory=list)
    cycle_times: list[CycleTime] = field(default_factory=list)
    step_times: list[StepTime] = field(default_factory=list)
    sla: list[SlaRow] = field(default_factory=list)
    weekly: list[WeekCount] = field(default_factory=list)



def _with_cases(query: Select[Any], scope: ColumnElement[bool]) -> Select[Any]:
    """Task queries join their case: who may see the figures and the region are properties of cases."""
    return query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(scope)


def in_period(column: Any, f: DashboardFilter) -> ColumnElement[bool]:
    clauses = []
    if f.start is not None:
        clauses.append(column >= f.start)
    if f.end is not None:
        clauses.append(column < f.end)
    return and_(true(), *clauses)


def _epoch(session: Session, column: Any) -> ColumnElement[float]:
    """Seconds since 1970 of a UTC timestamp column, on either backend."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return cast(extract("epoch", column), Float)  # numeric otherwise: slower to send and convert


def _hours(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    return (_epoch(session, end) - _epoch(session, start)) / HOUR


def process_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name)).all())


def by_status(session: Session, scope: ColumnElement[bool], f: DashboardFilter) -> list[StatusCount]:
    """Cases started in the period, by process and where they stand now."""
    rows = session.execute(
        select(ProcessInstance.process_key, ProcessInstance.status, func.count())
        .where(scope, in_period(ProcessInstance.started_at, f))
        .group_by(ProcessInstance.process_key, ProcessInstance.status)
        .order_by(ProcessInstance.process_key, ProcessInstance.status))
    names = process_names(session)
    return [StatusCount(key, names.get(key, key), status, n) for key, status, n in rows]


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    """Mean, median and p90 by nearest rank (the value at rank ceil(p * n) of the sorted values)."""
    values.sort()
    n = len(values)
    return math.fsum(values) / n, values[math.ceil(0.5 * n) - 1], values[math.ceil(0.9 * n) - 1]


def cycle_times(session: Session, scope: ColumnElement[bool], f: DashboardFilter) -> list[CycleTime]:
    """Start to end of the cases that completed (not terminated or withdrawn) in the period.

    The durations are computed in SQL and only they are fetched (one float per case, at most the
    cases of the period); sorting them for the percentiles is cheaper than a window function."""
    groups = cycle_hours(session, scope, f)
    names = process_names(session)
    return [CycleTime(k, names.get(k, k), len(v), *_percentiles(v)) for k, v in sorted(groups.items())]


def cycle_hours(session: Session, scope: ColumnElement[bool], f: DashboardFilter) -> dict[str, list[float]]:
    """Per process, the durations in hours of the cases that completed in the period."""
    groups: dict[str, list[float]] = {}
    duration = _hours(session, ProcessInstance.started_at, ProcessInstance.ended_at)
    for key, hours in session.execute(
            select(ProcessInstance.process_key, duration)
            .where(scope, ProcessInstance.status == "completed", in_period(ProcessInstance.ended_at, f))):
        groups.setdefault(key, []).append(float(hours))
    return groups


@dataclass
class _Step:
    """The completed tasks of one step in the period: durations for percentiles, due-time counts."""

    name: str
    role: str | None
    waits: list[float] = field(default_factory=list)
    works: list[float] = field(default_factory=list)
    with_due: int = 0
    on_time: int = 0


def completed_steps(session: Session, scope: ColumnElement[bool], f: DashboardFilter,
                    ) -> dict[tuple[str, str], _Step]:
    """One pass over the tasks completed in the period, feeding both the time per step and the SLA
    figures (at 100k cases this is the dashboard's largest read, so it is read once)."""
    claimed = func.coalesce(HumanTask.claimed_at, HumanTask.completed_at)
    query = _with_cases(select(HumanTask.process_key, HumanTask.element_id, HumanTask.name,
                               HumanTask.lane_role, _hours(session, HumanTask.created_at, claimed),
                               _hours(session, claimed, HumanTask.completed_at),
                               case((HumanTask.due_at.is_(None), None),
                                    (HumanTask.completed_at <= HumanTask.due_at, 1), else_=0))
                        .where(HumanTask.state == "completed", HumanTask.kind == "step",
                               in_period(HumanTask.completed_at, f)), scope)
    steps: dict[tuple[str, str], _Step] = {}
    for key, element, name, role, wait, work, on_time in session.execute(query):
        step = steps.get((key, element))
        if step is None:
            step = steps[(key, element)] = _Step(name, role)
        step.waits.append(max(0.0, float(wait)))
        step.works.append(max(0.0, float(work)))
        if on_time is not None:
            step.with_due += 1
            step.on_time += on_time
    return steps


def step_times(session: Session, scope: ColumnElement[bool], f: DashboardFilter,
               steps: dict[tuple[str, str], _Step] | None = None) -> list[StepTime]:
    """Per step of tasks completed in the period: the bottleneck is the longest total, and whether the
    time goes into waiting for someone to take it or into the work itself tells what would help."""
    steps = completed_steps(session, scope, f) if steps is None else steps
    items = []
    for (key, element), step in steps.items():
        w_avg, w50, w90 = _percentiles(step.waits)
        x_avg, x50, x90 = _percentiles(step.works)
        items.append(StepTime(key, element, step.name, len(step.waits), w50, w90, w_avg, x50, x90, x_avg,
                              step.role))
    return sorted(items, key=lambda s: (-s.total_p50, s.process_key, s.element_id))


def sla(session: Session, scope: ColumnElement[bool], f: DashboardFilter, late: dict[tuple[str, str], Any],
        steps: dict[tuple[str, str], _Step] | None = None) -> list[SlaRow]:
    """Of the steps with a due time completed in the period, how many were done by it; plus how many
    of that step are open and overdue right now (`late`, from `open_work`)."""
    steps = completed_steps(session, scope, f) if steps is None else steps
    return sla_rows({key: (step.name, step.role, step.with_due, step.on_time) for key, step in steps.items()},
                    late)


def sla_rows(done: dict[tuple[str, str], tuple[str, str | None, int, int]],
             late: dict[tuple[str, str], tuple[str, int, str | None]]) -> list[SlaRow]:
    """The SLA rows from steps done in the period (name, role, with a due time, on time) and the
    steps overdue now; the worst rate first."""
    rows = {(k, e): SlaRow(k, e, name, with_due, on_time, late.get((k, e), ("", 0, None))[1], role)
            for (k, e), (name, role, with_due, on_time) in done.items() if with_due}
    for (k, e), (name, n, role) in late.items():
        rows.setdefault((k, e), SlaRow(k, e, name, 0, 0, n, role))
    return sorted(rows.values(),
                  key=lambda r: (r.rate if r.rate is not None else 2.0, r.process_key, r.element_id))


def weekly(session: Session, scope: ColumnElement[bool], f: DashboardFilter, now: datetime,
           tz: tzinfo) -> list[WeekCount]:
    """Cases started and finished (completed, terminated or withdrawn) per week, Monday to Sunday in `tz`.

    The offset is the zone's offset now; a zone with daylight saving shifts by an hour for part of
    the year, which moves a few cases near midnight on Sunday into the neighbouring week.
    """
    offset = (now.astimezone(tz).utcoffset() or timedelta(0)).total_seconds()

    shift = int(offset) - EPOCH_MONDAY

    def week_of(column: Any) -> ColumnElement[int]:
        if session.get_bind().dialect.name == "sqlite":
            # whole seconds first (julianday is a float: midnight could land a hair before Monday),
            # then integer division, which truncates: the values are positive
            seconds = cast(_epoch(session, column) + 0.5, Integer)
            return cast((seconds + shift) // WEEK, Integer)
        return cast(func.floor((_epoch(session, column) + shift) / WEEK), Integer)

    counts: dict[int, list[int]] = {}
    for column, index in ((ProcessInstance.started_at, 0), (ProcessInstance.ended_at, 1)):
        bucket = week_of(column).label("w")
        query = (select(bucket, func.count()).where(scope, column.is_not(None), in_period(column, f))
                 .group_by(bucket))
        for week, n in session.execute(query):
            counts.setdefault(int(week), [0, 0])[index] += n
    if not counts:
        return []
    first, last = min(counts), max(counts)
    monday = date(1970, 1, 5)
    return [WeekCount(monday + timedelta(weeks=w), *counts.get(w, [0, 0])) for w in range(first, last + 1)]


def regions(session: Session) -> list[str]:
    return [r for r in session.scalars(select(Store.region).distinct().order_by(Store.region)) if r]


def period(days: int | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    """A trailing period of `days` ending now; None for all time."""
    return (now - timedelta(days=days), None) if days else (None, None)


__all__ = ["DashboardFilter", "Dashboard", "regions", "period"]
