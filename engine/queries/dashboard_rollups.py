"""The dashboard's period figures read from the rollup cells (`engine.models.rollups`) instead of every
case and task of the period: the same figures as `dashboard`'s base-table queries, at a cost that
grows with the days and steps shown, not with the cases.

A period [start, end) becomes the whole days of the rollups' zone inside it, read from cells (the
fewest month, dekad and day cells that cover them), and the parts of a day at either end, read from
the base tables through their time indexes, so counts, sums and means are exact. Percentiles come
from the histogram buckets (within 5 %, see `engine.models.rollups`); the cases that have not ended
(their status can still change) are counted from the case table, which holds few of them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Iterable

from sqlalchemy import ColumnElement, Select, and_, false, func, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors

from engine.models import NOT_ENDED, ProcessInstance, RollupCell
from engine.models.rollups import (
    ALL,
    ALL_TIME,
    CYCLE,
    DAY,
    ENDED_CASES,
    MONTH,
    STARTED,
    STATUS_OF_CODE,
    WAIT,
    WORK,
    bucket,
    cover,
    span_end,
    span_start,
)

_CASE = ProcessInstance.__table__
_CELL = RollupCell.__table__


@dataclass
class Histogram:
    """Durations as bucket counts with each bucket's sum, smallest and largest value."""

    buckets: dict[int, list[float]] = field(default_factory=dict)  # bucket -> [n, hours, low, high]

    def add_cell(self, b: int, n: int, hours: float, low: float, high: float) -> None:
        cell = self.buckets.get(b)
        if cell is None:
            self.buckets[b] = [n, hours, low, high]
        else:
            cell[0] += n
            cell[1] += hours
            cell[2], cell[3] = min(cell[2], low), max(cell[3], high)

    def add(self, values: Iterable[float]) -> None:
        for value in values:
            self.add_cell(bucket(value), 1, value, value, value)

    @property
    def count(self) -> int:
        return int(sum(cell[0] for cell in self.buckets.values()))

    def summary(self) -> tuple[float, float, float]:
        """Mean, median and p90 by nearest rank, as `dashboard._percentiles` but over buckets: the
        value at rank ceil(p * n) is its bucket's smallest or largest when the rank falls on them,
        else the geometric middle of the two."""
        n = self.count
        ordered = [self.buckets[b] for b in sorted(self.buckets)]
        mean = math.fsum(cell[1] for cell in ordered) / n
        return mean, self._at(ordered, math.ceil(0.5 * n)), self._at(ordered, math.ceil(0.9 * n))

    @staticmethod
    def _at(ordered: list[list[float]], rank: int) -> float:
        seen = 0.0
        for n, _hours, low, high in ordered:
            if rank <= seen + n:
                if rank == seen + 1:
                    return low
                if rank == seen + n:
                    return high
                return math.sqrt(low * high) if low > 0 else (low + high) / 2
            seen += n
        return ordered[-1][3]


@dataclass(frozen=True)
class Period:
    """A dashboard period split into whole days of the rollups' zone and the part-days at its ends."""

    first: date | None          # first whole day, None: from the beginning
    stop: date | None           # the day after the last whole day, None: up to now
    edges: tuple[tuple[datetime | None, datetime | None], ...]  # [start, end) read from the base tables
    whole: bool = True          # False: not one whole day, all of it is read from the base tables


def split_period(start: datetime | None, end: datetime | None, zone: tzinfo) -> Period:
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    edges = []
    first = stop = None
    if start is not None:
        local = start.astimezone(zone)
        first = local.date() if local == midnight(local.date()) else local.date() + timedelta(days=1)
        if first != local.date():
            edges.append((start, midnight(first)))
    if end is not None:
        local = end.astimezone(zone)
        stop = local.date()
        if local != midnight(stop):
            edges.append((midnight(stop), end))
    if first is not None and stop is not None and first >= stop:
        return Period(None, None, ((start, end),), whole=False)
    return Period(first, stop, tuple(edges))


def cell_scope(scope: ColumnElement[bool], *, with_store: bool) -> ColumnElement[bool] | None:
    """The viewer's scope over cases restated over cells (same column names), or None when it reads
    a column cells lack (histogram cells have no store)."""
    allowed = {"process_key", "region", *(("store_code",) if with_store else ())}
    for element in visitors.iterate(scope):
        table = getattr(element, "table", None)
        if table is _CASE and getattr(element, "name", None) not in allowed:
            return None
    def restated(element: Any, **_kw: Any) -> Any:
        return _CELL.c[getattr(element, "name")] if getattr(element, "table", None) is _CASE else None

    options: dict[str, Any] = {}
    return visitors.replacement_traverse(scope, options, restated)


def _days(period: Period) -> ColumnElement[bool]:
    if not period.whole:
        return false()
    clauses = [_CELL.c.span == DAY]
    if period.first is not None:
        clauses.append(_CELL.c.start >= period.first)
    if period.stop is not None:
        clauses.append(_CELL.c.start < period.stop)
    return and_(*clauses)


def _covering(period: Period) -> list[ColumnElement[bool]]:
    """The histogram cells covering the period's whole days: whole months as month cells, the
    months cut by its ends as the fewest dekad and day cells; one clause per span, each a range of
    the cells' primary key (an OR of them would make SQLite scan every cell of the measure)."""
    if not period.whole:
        return []
    first, stop = period.first, period.stop
    if first is None and stop is None:
        return [and_(_CELL.c.span == ALL, _CELL.c.start == ALL_TIME)]
    clauses: list[ColumnElement[bool]] = []

    def add(a: date, b: date) -> None:
        for span, starts in cover(a, b).items():
            if starts:
                clauses.append(and_(_CELL.c.span == span, _CELL.c.start.in_(starts)))

    if first is not None and first != span_start(first, MONTH):
        lead_stop = span_end(span_start(first, MONTH), MONTH)
        lead_stop = min(lead_stop, stop) if stop is not None else lead_stop
        add(first, lead_stop)
        first = lead_stop
    if stop is not None and stop != span_start(stop, MONTH):
        trail_first = span_start(stop, MONTH) if first is None else max(span_start(stop, MONTH), first)
        if trail_first < stop:
            add(trail_first, stop)
        stop = span_start(stop, MONTH)
    if first is None or stop is None or first < stop:
        months = [_CELL.c.span == MONTH]
        if first is not None:
            months.append(_CELL.c.start >= first)
        if stop is not None:
            months.append(_CELL.c.start < stop)
        clauses.append(and_(*months))
    return clauses


def status_counts(session: Session, scope: ColumnElement[bool], cells: ColumnElement[bool], period: Period,
                  ) -> dict[tuple[str, str], int]:
    """Cases started in the period that have ended, by process and status, from whole days' cells."""
    counts: dict[tuple[str, str], int] = {}
    query = (select(_CELL.c.process_key, _CELL.c.bucket, func.sum(_CELL.c.n))
             .where(_CELL.c.measure == STARTED, _CELL.c.bucket > 0, _days(period), cells)
             .group_by(_CELL.c.process_key, _CELL.c.bucket))
    for key, code, n in session.execute(query):
        if n:
            counts[(key, STATUS_OF_CODE[code])] = int(n)
    return counts


def open_status_counts(session: Session, scope: ColumnElement[bool], in_period: ColumnElement[bool],
                       ) -> dict[tuple[str, str], int]:
    """Cases started in the period that have not ended, from the case table (few: the recent ones)."""
    query = (select(ProcessInstance.process_key, ProcessInstance.status, func.count())
             .where(scope, ProcessInstance.status.in_(NOT_ENDED), in_period)
             .group_by(ProcessInstance.process_key, ProcessInstance.status))
    return {(key, status): n for key, status, n in session.execute(query)}


def histograms(session: Session, cells: ColumnElement[bool], period: Period,
               ) -> tuple[dict[tuple[str, str, str], Histogram], dict[tuple[str, str], list[Any]]]:
    """Cycle, waiting and working times per process and step over the period's whole days, and per
    step its [name, role, with due time, on time]: one query, its spans' cells read by key range and
    summed together (the names apart, from the all-time cells: strings cost the most to sum)."""
    found: dict[tuple[str, str, str], Histogram] = {}
    steps: dict[tuple[str, str], list[Any]] = {}
    c = _CELL.c
    parts = [select(c.measure, c.process_key, c.element_id, c.bucket, c.n, c.hours, c.low, c.high, c.due,
                    c.on_time).where(c.measure.in_((CYCLE, WAIT, WORK)), covered, cells)
             for covered in _covering(period)]
    if not parts:
        return found, steps
    read = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    query: Select[Any] = (
        select(read.c.measure, read.c.process_key, read.c.element_id, read.c.bucket, func.sum(read.c.n),
               func.sum(read.c.hours), func.min(read.c.low), func.max(read.c.high), func.sum(read.c.due),
               func.sum(read.c.on_time))
        .group_by(read.c.measure, read.c.process_key, read.c.element_id, read.c.bucket))
    for measure, key, element, b, n, hours, low, high, due, on_time in session.execute(query):
        if not n:
            continue
        found.setdefault((measure, key, element), Histogram()).add_cell(b, n, hours, low, high)
        if measure == WORK:
            step = steps.setdefault((key, element), ["", None, 0, 0])
            step[2] += int(due or 0)
            step[3] += int(on_time or 0)
    if steps:
        for key, element, label, role in session.execute(
                select(c.process_key, c.element_id, func.max(c.label), func.max(c.role))
                .where(c.measure == WORK, c.span == ALL, c.start == ALL_TIME)
                .group_by(c.process_key, c.element_id)):
            if (key, element) in steps:
                steps[(key, element)][:2] = [label, role]
    return found, steps


def day_counts(session: Session, cells: ColumnElement[bool], period: Period) -> dict[tuple[str, date], int]:
    """Cases started and ended per day of the period, for the weekly flow."""
    query = (select(_CELL.c.measure, _CELL.c.start, func.sum(_CELL.c.n))
             .where(_CELL.c.measure.in_((STARTED, ENDED_CASES)), _days(period), cells)
             .group_by(_CELL.c.measure, _CELL.c.start))
    return {(measure, day): int(n) for measure, day, n in session.execute(query) if n}


def edge_filters(f: Any, period: Period) -> list[Any]:
    """The dashboard filter narrowed to each part-day the cells do not hold."""
    return [replace(f, start=a, end=b) for a, b in period.edges]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())

