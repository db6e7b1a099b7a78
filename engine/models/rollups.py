"""The dashboard's rollups: counts and duration histograms per day, dekad and month, kept current by
the commands that start, end and complete, so the dashboard reads a few thousand cells instead of
every case and task of its period.

One table, `rollup_cell`. A cell is one measure of one process step (`element_id`, '' for the whole
case) in one region and store on one span of days in the business time zone, the days the rollups
were written in (`Engine.zone`; rebuild them after changing it):

- `started`: cases by the day they started, `bucket` their status code (`STATUS_CODES`: 0 while not
  ended), so a case that ends moves from bucket 0 to its end's; day spans only.
- `ended`: cases by the day they ended, `bucket` their status code; day spans only.
- `cycle`: completed cases by the day they completed, `bucket` the duration's (`bucket`), `hours`
  the sum of durations, `low` / `high` the shortest and longest; day, dekad, month and all-time
  spans (a value counts once in each).
- `wait` / `work`: completed steps by the day they were completed, created → claimed and claimed →
  completed, as `cycle`; `work` cells also count the steps that had a due time (`due`) and met it
  (`on_time`). Histogram cells have no store ('' always): their rows would barely shrink below the
  tasks' with one; a viewer who reads by store gets the figures from the base tables instead.

Histogram buckets grow by 10 %, so a percentile read from them is the geometric middle of the
smallest and largest value in its bucket unless it is one of them: within 5 % of the exact value
(sqrt(1.1) - 1 = 4.9 %), and exact when the bucket holds one value or the rank falls on its ends.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

from sqlalchemy import Date, Float, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .cases import COMPLETED, TERMINATED, WITHDRAWN

DAY, DEKAD, MONTH, ALL = "d", "t", "m", "a"
#: The spans a period is covered with, longest first; counts have day cells only.
SPANS = (MONTH, DEKAD, DAY)
#: Histogram cells: also one for all time (start `ALL_TIME`), which is what the all-time view reads.
HISTOGRAM_SPANS = (ALL, *SPANS)
ALL_TIME = date(1970, 1, 1)
STARTED, ENDED_CASES, CYCLE, WAIT, WORK = "started", "ended", "cycle", "wait", "work"
HISTOGRAMS = (CYCLE, WAIT, WORK)
#: `started` / `ended` buckets: 0 for a case that has not ended (running, suspended, failed).
STATUS_CODES = {COMPLETED: 1, TERMINATED: 2, WITHDRAWN: 3}
STATUS_OF_CODE = {code: status for status, code in STATUS_CODES.items()}
RATIO = 1.1
SMALLEST = 1 / 60  # hours: durations under a minute share bucket 0


class RollupCell(Base):
    __tablename__ = "rollup_cell"
    # without a rowid, SQLite keeps the cells in key order: a range of them is read in one sweep
    __table_args__ = (PrimaryKeyConstraint("measure", "span", "start", "process_key", "element_id", "region",
                                           "store_code", "bucket", name="pk_rollup_cell"),
                      {"sqlite_with_rowid": False})

    measure: Mapped[str] = mapped_column(String(8))
    span: Mapped[str] = mapped_column(String(1))
    start: Mapped[date] = mapped_column(Date)
    process_key: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(128))
    region: Mapped[str] = mapped_column(String(16))
    store_code: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    due: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    # the step's name and lane role as last written, for the charts' labels
    label: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str | None] = mapped_column(String(32))


def bucket(hours: float) -> int:
    """The histogram bucket of a duration: 0 under a minute, then one per 10 % of growth."""
    if hours < SMALLEST:
        return 0
    return 1 + int(math.log(hours / SMALLEST) / math.log(RATIO))


def span_start(day: date, span: str) -> date:
    """The first day of the span of kind `span` holding `day` (dekads: the 1st, 11th and 21st)."""
    if span == ALL:
        return ALL_TIME
    if span == MONTH:
        return day.replace(day=1)
    if span == DEKAD:
        return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)
    return day


def span_end(first: date, span: str) -> date:
    """The day after the span starting on `first`."""
    if span == DAY:
        return first + timedelta(days=1)
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    if span == MONTH or first.day == 21:
        return next_month
    return first + timedelta(days=10)


def cover(first: date, stop: date) -> dict[str, list[date]]:
    """The fewest whole spans covering the days [first, stop): months where they fit, then dekads,
    then days, so a period of a year reads about twelve month cells per step instead of 365."""
    spans: dict[str, list[date]] = {span: [] for span in SPANS}
    day = first
    while day < stop:
        for span in SPANS:
            if span_start(day, span) == day and span_end(day, span) <= stop:
                spans[span].append(day)
                day = span_end(day, span)
                break
    return spans
