"""Keeping the dashboard's rollup cells current as commands start, end and complete, in the
command's own transaction, and rebuilding them from the case and task tables.

A command adds to cells and never reads them: one batch of upserts (INSERT ... ON CONFLICT DO UPDATE)
as its transaction commits, its rows sorted so that two transactions lock shared cells in the same
order. Histogram cells only grow (a completed step or case stays completed); a case that ends moves
from `started` bucket 0 to its status's. Rows written behind the commands' back (seeded history,
imports) need `rebuild_rollups`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple, Protocol

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from engine.models import COMPLETED, ENDED, HumanTask, ProcessInstance, RollupCell
from engine.models.rollups import (
    CYCLE,
    DAY,
    ENDED_CASES,
    HISTOGRAM_SPANS,
    HISTOGRAMS,
    STARTED,
    STATUS_CODES,
    WAIT,
    WORK,
    bucket,
    span_start,
)

from .case_rows import CaseRow, TaskRow
from .row_batches import BatchInsert

HOUR = 3600.0


class CaseFacts(Protocol):
    """What the rollups read of a case: a command's `CaseRow`, or a row of the rebuild's query."""

    @property
    def process_key(self) -> str: ...
    @property
    def region(self) -> str | None: ...
    @property
    def store_code(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def ended_at(self) -> datetime | None: ...


class StepFacts(Protocol):
    """What the rollups read of a completed step: a command's `TaskRow`, or a row of the rebuild's."""

    @property
    def process_key(self) -> str: ...
    @property
    def element_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lane_role(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def claimed_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...
_KEY = ("measure", "span", "start", "process_key", "element_id", "region", "store_code", "bucket")


class Cell(NamedTuple):
    """What one event adds to one cell, in the columns' order."""

    measure: str
    span: str
    start: date
    process_key: str
    element_id: str
    region: str
    store_code: str
    bucket: int
    n: int = 1
    hours: float = 0.0
    low: float | None = None
    high: float | None = None
    due: int = 0
    on_time: int = 0
    label: str = ""
    role: str | None = None


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / HOUR)


def _count(process: str, region: str | None, store: str | None, measure: str, at: datetime, zone: tzinfo,
           code: int, n: int = 1) -> Cell:
    return Cell(measure, DAY, at.astimezone(zone).date(), process, "", region or "", store or "", code, n)


def _histogram(process: str, element: str, region: str | None, measure: str, at: datetime, zone: tzinfo,
               hours: float, spans: tuple[str, ...], **extra: Any) -> list[Cell]:
    day = at.astimezone(zone).date()
    return [Cell(measure, span, span_start(day, span), process, element, region or "", "", bucket(hours),
                 1, hours, hours, hours, **extra) for span in spans]


def case_started_cells(case: CaseFacts, zone: tzinfo) -> list[Cell]:
    return [_count(case.process_key, case.region, case.store_code, STARTED, case.started_at, zone, 0)]


def case_ended_cells(case: CaseFacts, zone: tzinfo, *, was_counted_open: bool = True,
                     spans: tuple[str, ...] = HISTOGRAM_SPANS) -> list[Cell]:
    """A case that ended: out of `started` bucket 0 (if it was counted there), into its status's, its
    end day's `ended`, and for a completed case its cycle time."""
    code = STATUS_CODES[case.status]
    cells = [_count(case.process_key, case.region, case.store_code, STARTED, case.started_at, zone, code)]
    if was_counted_open:
        cells.append(_count(case.process_key, case.region, case.store_code, STARTED, case.started_at, zone, 0,
                            -1))
    if case.ended_at is None:  # seeded or imported rows may lack it: counted by status alone
        return cells
    cells.append(_count(case.process_key, case.region, case.store_code, ENDED_CASES, case.ended_at, zone,
                        code))
    if case.status == COMPLETED:
        cells += _histogram(case.process_key, "", case.region, CYCLE, case.ended_at, zone,
                            _hours(case.started_at, case.ended_at), spans)
    return cells


def step_completed_cells(task: StepFacts, region: str | None, zone: tzinfo,
                         spans: tuple[str, ...] = HISTOGRAM_SPANS) -> list[Cell]:
    """A completed step's waiting (created → claimed) and working (claimed → completed) time, and
    whether it met its due time."""
    completed = task.completed_at
    assert completed is not None
    claimed = task.claimed_at or completed
    due = int(task.due_at is not None)
    on_time = int(task.due_at is not None and completed <= task.due_at)
    wait, work = _hours(task.created_at, claimed), _hours(claimed, completed)
    day, key, element, region = completed.astimezone(zone).date(), task.process_key, task.element_id, (
        region or "")
    wait_bucket, work_bucket, name, role = bucket(wait), bucket(work), task.name, task.lane_role
    cells = []
    for span in spans:
        first = span_start(day, span)
        cells.append(Cell(WAIT, span, first, key, element, region, "", wait_bucket, 1, wait, wait, wait, 0, 0,
                          name, role))
        cells.append(Cell(WORK, span, first, key, element, region, "", work_bucket, 1, work, work, work, due,
                          on_time, name, role))
    return cells


def count_case_start(session: Session, case: CaseRow, zone: tzinfo) -> None:
    queue_cells(session, case_started_cells(case, zone))


def count_stored(session: Session, case: CaseRow, tasks: Iterable[TaskRow], zone: tzinfo | None) -> None:
    """What a command about to store `case` and its changed `tasks` adds to the rollups: the steps it
    completed and the case's end; then the rows read as counted."""
    cells: list[Cell] = []
    for task in tasks:
        if task.kind == "step" and task.state == "completed" and task.stored_state != "completed":
            cells += step_completed_cells(task, case.region, _zone(zone))
        task.stored_state = task.state
    if case.status in ENDED and case.stored_status not in ENDED:
        cells += case_ended_cells(case, _zone(zone))
    case.stored_status = case.status
    queue_cells(session, cells)


def _zone(zone: tzinfo | None) -> tzinfo:
    if zone is None:
        raise RuntimeError("a command that completes a step or ends a case stores it with the engine's zone")
    return zone


def queue_cells(session: Session, cells: Sequence[Cell]) -> None:
    """Add the cells as the transaction commits (`_write_before_commit`). Every command adds to the
    same few cells (a step's wait and work, per span), and an upsert holds their row locks until
    commit: written as the command stored its rows they were held through the rest of the command and
    every concurrent complete queued on them (5 ms of each upsert under load was that wait); written
    last they are held for one round trip."""
    if cells:
        session.info.setdefault(_PENDING, []).extend(cells)


def write_pending_cells(session: Session) -> None:
    """Write the cells queued in this transaction now: one upsert, in key order (the order every
    transaction locks them in), straight through the driver (SQLAlchemy's parameter handling cost a
    command as much as the upserts themselves), not an executemany, which PostgreSQL plans and runs row
    by row. On PostgreSQL the rows go as one JSON document (`row_batches`: one statement text for any
    count); SQLite takes a multi-row VALUES list. A statement may not touch a row twice, so the cells
    of one key are added first."""
    cells = session.info.pop(_PENDING, None)
    if not cells:
        return
    connection = session.connection()
    rows: list[Any] = _merged(cells)
    if connection.dialect.name == "postgresql":
        _BATCH_UPSERT.execute(connection, rows)
        return
    rows = [(*cell[:2], cell[2].isoformat(), *cell[3:]) for cell in rows]  # SQLite's dates: ISO text
    for first in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[first:first + _ROWS_PER_STATEMENT]
        connection.exec_driver_sql(_sqlite_upsert(len(chunk)), tuple(v for row in chunk for v in row))


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """Also as a savepoint is released: what it queued is then in the transaction like its rows."""
    if session.info.get(_PENDING):
        session.flush()  # the command's own rows first: the cells' locks are the last ones taken
        write_pending_cells(session)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[id(transaction)] = len(session.info.get(_PENDING, ()))


@event.listens_for(Session, "after_soft_rollback")
def _forget_savepoint(session: Session, previous_transaction: Any) -> None:
    """A rolled-back savepoint (one item of a bulk action) drops only the cells queued inside it."""
    mark = session.info.get(_MARKS, {}).pop(id(previous_transaction), None)
    if previous_transaction.nested and mark is not None:
        del session.info.get(_PENDING, [])[mark:]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: Any) -> None:
    """A committed transaction wrote its cells before it ended; one rolled back or closed drops them."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)


_PENDING = "opsflow_pending_rollup_cells"
_MARKS = "opsflow_rollup_savepoints"  # id(savepoint) -> how many cells were queued as it began
_COLUMNS = Cell._fields
_ROWS_PER_STATEMENT = 500  # x 16 columns: within SQLite's limit on parameters
_UPSERTS: dict[int, str] = {}


def _merged(cells: Sequence[Cell]) -> list[Cell]:
    by_key: dict[tuple[Any, ...], Cell] = {}
    for cell in cells:
        key = cell[:len(_KEY)]
        seen = by_key.get(key)
        by_key[key] = cell if seen is None else cell._replace(
            n=seen.n + cell.n, hours=seen.hours + cell.hours, due=seen.due + cell.due,
            on_time=seen.on_time + cell.on_time,
            low=min((v for v in (seen.low, cell.low) if v is not None), default=None),
            high=max((v for v in (seen.high, cell.high) if v is not None), default=None))
    return [by_key[key] for key in sorted(by_key)]


def _on_conflict(dialect: str) -> str:
    least, greatest = ("least", "greatest") if dialect == "postgresql" else ("min", "max")
    added = ", ".join(f"{name} = rollup_cell.{name} + excluded.{name}" for name in ("n", "hours", "due",
                                                                                 "on_time"))
    return (f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {added}, "
            f"low = coalesce({least}(rollup_cell.low, excluded.low), excluded.low, rollup_cell.low), "
            f"high = coalesce({greatest}(rollup_cell.high, excluded.high), excluded.high, rollup_cell.high), "
            "label = excluded.label, role = excluded.role")


def _sqlite_upsert(rows: int) -> str:
    statement = _UPSERTS.get(rows)
    if statement is None:
        values = ", ".join([f"({', '.join(['?'] * len(_COLUMNS))})"] * rows)
        statement = (f"INSERT INTO rollup_cell ({', '.join(_COLUMNS)}) VALUES {values} "
                     f"{_on_conflict('sqlite')}")
        if rows <= 64:  # the sizes one command writes; a bulk action's bigger ones are not kept
            _UPSERTS[rows] = statement
    return statement


_BATCH_UPSERT = BatchInsert(RollupCell.__table__, _COLUMNS, _on_conflict("postgresql"))


def rebuild_rollups(session: Session, zone: tzinfo, chunk: int = 10_000) -> int:
    """Every cell again from the case and task tables (after seeding history or changing the zone);
    the caller commits. Returns the number of cells written.

    Day cells first, the longer spans summed from them; values in plain lists and rows written
    straight through the driver: at a million cases this is minutes otherwise, not one."""
    session.flush()
    session.info.pop(_PENDING, None)  # counted again below from the rows they stand for
    session.execute(delete(RollupCell))
    cells: dict[tuple[Any, ...], list[Any]] = {}  # key -> [n, hours, low, high, due, on_time, label, role]

    def add(key: tuple[Any, ...], n: int, hours: float = 0.0, due: int = 0, on_time: int = 0,
            label: str = "", role: str | None = None, low: float | None = None, high: float | None = None
            ) -> None:
        high = low if high is None else high
        cell = cells.get(key)
        if cell is None:
            cells[key] = [n, hours, low, high, due, on_time, label, role]
            return
        cell[0] += n
        cell[1] += hours
        if low is not None:
            cell[2], cell[3] = min(cell[2], low), max(cell[3], high)
        cell[4] += due
        cell[5] += on_time

    case = ProcessInstance
    for key, region, store, status, started, ended in session.execute(
            select(case.process_key, case.region, case.store_code, case.status, case.started_at,
                   case.ended_at).execution_options(yield_per=chunk)):
        region, store = region or "", store or ""
        code = STATUS_CODES.get(status, 0)
        add((STARTED, DAY, started.astimezone(zone).date(), key, "", region, store, code), 1)
        if code and ended is not None:
            day = ended.astimezone(zone).date()
            add((ENDED_CASES, DAY, day, key, "", region, store, code), 1)
            if status == COMPLETED:
                hours = _hours(started, ended)
                add((CYCLE, DAY, day, key, "", region, "", bucket(hours)), 1, hours, low=hours)
    task = HumanTask
    query = (select(task.process_key, task.element_id, task.name, task.lane_role, task.created_at,
                    task.claimed_at, task.completed_at, task.due_at, case.region)
             .join(case, case.id == task.instance_id)
             .where(task.state == "completed", task.kind == "step", task.completed_at.is_not(None)))
    for key, element, name, role, created, claimed, done_at, due_at, region in session.execute(
            query.execution_options(yield_per=chunk)):
        assert done_at is not None  # as the query asks
        completed = done_at
        day, region = completed.astimezone(zone).date(), region or ""
        claimed = claimed or completed
        wait, work = _hours(created, claimed), _hours(claimed, completed)
        on_time = due_at is not None and completed <= due_at
        add((WAIT, DAY, day, key, element, region, "", bucket(wait)), 1, wait, label=name, role=role,
            low=wait)
        add((WORK, DAY, day, key, element, region, "", bucket(work)), 1, work, int(due_at is not None),
            int(on_time), name, role, low=work)
    for (measure, _span, day, *rest), (n, hours, low, high, due, on_time, label, role) in list(cells.items()):
        if measure in HISTOGRAMS:
            for span in HISTOGRAM_SPANS[:-1]:
                add((measure, span, span_start(day, span), *rest), n, hours, due, on_time, label, role, low,
                    high)
    # in key order: PostgreSQL then finds a span's cells on neighbouring pages (it keeps no order)
    rows = sorted((*key, *values) for key, values in cells.items() if values[0])
    return _insert_cells(session, rows, chunk)


def _insert_cells(session: Session, rows: list[tuple[Any, ...]], chunk: int) -> int:
    """Plain rows through the driver's executemany (SQLite keeps dates as ISO text, as SQLAlchemy's
    Date does there)."""
    columns = [*_KEY, "n", "hours", "low", "high", "due", "on_time", "label", "role"]
    sqlite_dates = session.get_bind().dialect.name == "sqlite"
    mark = "?" if sqlite_dates else "%s"
    sql = f"INSERT INTO rollup_cell ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    cursor = session.connection().connection.cursor()
    try:
        for first in range(0, len(rows), chunk):
            batch = rows[first:first + chunk]
            if sqlite_dates:
                batch = [(*row[:2], row[2].isoformat(), *row[3:]) for row in batch]
            cursor.executemany(sql, batch)
    finally:
        cursor.close()
    return len(rows)
