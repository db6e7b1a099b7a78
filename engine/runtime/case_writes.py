"""A command's case and task rows written in one round trip on PostgreSQL.

A command that moves a case on writes the case (its version moved on, guarded by the version it read),
the task rows it changed and the ones it opened: three statements through `case_rows`, each with its
own statement handling in SQLAlchemy and psycopg and its own exchange with the server. On PostgreSQL
they are one statement with data-modifying `WITH` parts: the case's UPDATE, an UPDATE of the changed
tasks and an INSERT of the new ones, from VALUES lists of typed parameters; its answer is whether the
case's row was written and the new tasks' ids. The rows go as parameters, not as one JSON document
(`row_batches`): PostgreSQL then parses no JSON, and joins the changed rows to their table by its
primary key instead of guessing a hundred rows for a JSON source (it hashed the whole task table);
the statement's text depends on how many rows each part has, which is one, or a few, in a command.

The task parts run only if the case's UPDATE wrote its row (a one-time filter PostgreSQL evaluates
before it touches a task), so a command that lost the race on the case's version changes nothing and
fails with ConcurrentUpdate, as through `case_rows`. The new ids are the sequence's values taken in
the rows' order, so sorted they are the rows' ids in order (what SQLAlchemy's own batched inserts
rely on). Other databases take `case_rows`' statements.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from engine.errors import ConcurrentUpdate
from engine.models import HumanTask, ProcessInstance

from . import case_rows
from .case_rows import CASE_WRITABLE, TASK_COLUMNS, TASK_WRITABLE, CaseRow, TaskRow
from .row_batches import bind_processor

_CASE = ProcessInstance.__table__
_TASK = HumanTask.__table__
_NEW = tuple(name for name in TASK_COLUMNS if name != "id")
_CHANGED = ("id", *TASK_WRITABLE)
_STATEMENTS: dict[tuple[str, bool, int, int, int], str] = {}
#: Rows of tasks one statement carries at most (26 parameters each, PostgreSQL takes 65,535 in all);
#: a command that changes or opens more (a step with hundreds of approvers) takes `case_rows`' way.
MOST_ROWS = 200


class _Typed:
    """Values of some of a table's columns as typed parameters (`%s::TYPE`), each through its column
    type's bind processing as SQLAlchemy's would (UTC datetimes, JSON as its text)."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        self.table, self.columns = table, tuple(columns)
        self._compiled: dict[str, tuple[str, list[Callable[[Any], Any] | None]]] = {}

    def _for(self, dialect: Dialect) -> tuple[str, list[Callable[[Any], Any] | None]]:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            marks: list[str] = []
            processors: list[Callable[[Any], Any] | None] = []
            for name in self.columns:
                kind = self.table.c[name].type
                marks.append(f"%s::{kind.compile(dialect=dialect)}")
                processors.append(bind_processor(kind, dialect))
            compiled = self._compiled[dialect.name] = (", ".join(marks), processors)
        return compiled

    def marks(self, dialect: Dialect) -> str:
        return self._for(dialect)[0]

    def values(self, dialect: Dialect, record: Any) -> list[Any]:
        return [getattr(record, name) if process is None else process(getattr(record, name))
                for name, process in zip(self.columns, self._for(dialect)[1])]


_CASE_VALUES = _Typed(_CASE, (*CASE_WRITABLE, "updated_at"))
_STATE = _Typed(_CASE, ("state",))
_CHANGED_VALUES = _Typed(_TASK, _CHANGED)
_NEW_VALUES = _Typed(_TASK, _NEW)


def write_case_and_tasks(session: Session, case: CaseRow, changed: Sequence[TaskRow],
                         created: Sequence[TaskRow], *, with_state: bool) -> None:
    """`case_rows.save_case`, `save_tasks` and `insert_tasks`, in that order, as one statement where
    the database allows it."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or len(changed) + len(created) > MOST_ROWS:
        case_rows.save_case(session, case, with_state=with_state)
        case_rows.save_tasks(session, changed)
        case_rows.insert_tasks(session, created)
        return
    still_open = [t for t in changed if t.state == "open"]
    closed = [t for t in changed if t.state != "open"]
    sql = _statement(dialect, with_state, len(still_open), len(closed), len(created))
    parameters = [*_CASE_VALUES.values(dialect, case), case.lock_version + 1,
                  *(_STATE.values(dialect, case) if with_state else ()), case.id, case.lock_version]
    for task in (*still_open, *closed):
        parameters += _CHANGED_VALUES.values(dialect, task)
    for task in created:
        parameters += _NEW_VALUES.values(dialect, task)
    written, new_ids = connection.exec_driver_sql(sql, tuple(parameters)).one()
    if written != 1:
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload and try again")
    case.lock_version += 1
    for task, new_id in zip(created, sorted(new_ids or ()), strict=True):
        task.id = new_id
    case_rows.expire(session, ProcessInstance, [case.id])
    case_rows.expire(session, HumanTask, [t.id for t in changed])


def _statement(dialect: Dialect, with_state: bool, still_open: int, closed: int, created: int) -> str:
    """The statement for so many rows of each part (its text differs by count; one of each is usual)."""
    key = (dialect.name, with_state, still_open, closed, created)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    quote = dialect.identifier_preparer.quote
    setting = [*CASE_WRITABLE, "updated_at", "lock_version", *(["state"] if with_state else [])]
    marks = [_CASE_VALUES.marks(dialect), "%s::INTEGER", *([_STATE.marks(dialect)] if with_state else [])]
    parts = [f"written AS (UPDATE {quote(_CASE.name)} SET ({', '.join(quote(c) for c in setting)}) = "
             f"ROW({', '.join(marks)}) WHERE id = %s::INTEGER AND lock_version = %s::INTEGER RETURNING id)"]
    task = quote(_TASK.name)
    sets = ", ".join(f"{quote(name)} = batch.{quote(name)}" for name in TASK_WRITABLE)
    for count, name, extra in ((still_open, "kept", ""), (closed, "closed", ", draft = 'null'::JSON")):
        if count:
            rows = ", ".join([f"({_CHANGED_VALUES.marks(dialect)})"] * count)
            parts.append(f"{name} AS (UPDATE {task} SET {sets}{extra} FROM (VALUES {rows}) "
                         f"AS batch({', '.join(quote(c) for c in _CHANGED)}) "
                         f"WHERE {task}.id = batch.id AND EXISTS (SELECT FROM written))")
    opened = "NULL::integer[]"
    if created:
        rows = ", ".join(f"({_NEW_VALUES.marks(dialect)}, {n})" for n in range(created))
        columns = ", ".join(quote(c) for c in _NEW)
        parts.append(f"opened AS (INSERT INTO {task} ({columns}) SELECT {columns} FROM (VALUES {rows}) "
                     f"AS batch({columns}, n) WHERE EXISTS (SELECT FROM written) ORDER BY n RETURNING id)")
        opened = "ARRAY(SELECT id FROM opened)"
    found = _STATEMENTS[key] = f"WITH {', '.join(parts)} SELECT (SELECT count(*) FROM written), {opened}"
    return found
