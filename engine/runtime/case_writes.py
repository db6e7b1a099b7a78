"""A command's case and task rows written in one round trip on PostgreSQL.

A command that moves a case on writes the case (its version moved on, guarded by the version it read),
the task rows it changed and the ones it opened: three statements through `case_rows`, each with its
own statement handling in SQLAlchemy and psycopg and its own exchange with the server. On PostgreSQL
they are one statement with data-modifying `WITH` parts: the case's UPDATE, an UPDATE of the changed
tasks and an INSERT of the new ones from JSON documents (`row_batches.Recordset`), its answer whether
the case's row was written and the new tasks' ids.

The task parts run only if the case's UPDATE wrote its row (a one-time filter PostgreSQL evaluates
before it touches a task), so a command that lost the race on the case's version changes nothing and
fails with ConcurrentUpdate, as through `case_rows`. The new ids are the sequence's values taken in
the rows' order, so sorted they are the rows' ids in order (what SQLAlchemy's own batched inserts
rely on). Other databases take `case_rows`' statements.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from engine.errors import ConcurrentUpdate
from engine.models import HumanTask, ProcessInstance

from . import case_rows
from .case_rows import CASE_WRITABLE, TASK_COLUMNS, TASK_WRITABLE, CaseRow, TaskRow
from .row_batches import Recordset

_CASE = ProcessInstance.__table__
_TASK = HumanTask.__table__
_CASE_SET = (*CASE_WRITABLE, "updated_at", "lock_version")
_NEW = tuple(name for name in TASK_COLUMNS if name != "id")
_CHANGED = Recordset(_TASK, ("id", *TASK_WRITABLE))
_CREATED = Recordset(_TASK, _NEW, numbered=True)
_STATEMENTS: dict[tuple[str, bool, bool, bool, bool], tuple[str, list[Any]]] = {}


def write_case_and_tasks(session: Session, case: CaseRow, changed: Sequence[TaskRow],
                         created: Sequence[TaskRow], *, with_state: bool) -> None:
    """`case_rows.save_case`, `save_tasks` and `insert_tasks`, in that order, as one statement where
    the database allows it."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        case_rows.save_case(session, case, with_state=with_state)
        case_rows.save_tasks(session, changed)
        case_rows.insert_tasks(session, created)
        return
    still_open = [t for t in changed if t.state == "open"]
    closed = [t for t in changed if t.state != "open"]
    sql, processors = _statement(dialect, with_state, bool(still_open), bool(closed), bool(created))
    values = [*(getattr(case, name) for name in CASE_WRITABLE), case.updated_at, case.lock_version + 1,
              *([case.state] if with_state else []), case.id, case.lock_version]
    parameters: list[Any] = [value if process is None else process(value)
                             for value, process in zip(values, processors, strict=True)]
    for rows in (still_open, closed):
        if rows:
            parameters.append(_CHANGED.document(dialect, [[t.id, *(getattr(t, n) for n in TASK_WRITABLE)]
                                                          for t in rows]))
    if created:
        parameters.append(_CREATED.document(dialect, [[getattr(t, n) for n in _NEW] for t in created]))
    written, new_ids = connection.exec_driver_sql(sql, tuple(parameters)).one()
    if written != 1:
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload and try again")
    case.lock_version += 1
    for task, new_id in zip(created, sorted(new_ids or ()), strict=True):
        task.id = new_id
    case_rows.expire(session, ProcessInstance, [case.id])
    case_rows.expire(session, HumanTask, [t.id for t in changed])


def _statement(dialect: Dialect, with_state: bool, still_open: bool, closed: bool, created: bool
               ) -> tuple[str, list[Any]]:
    """The statement for the parts present, and the bind processors of the case's parameters."""
    key = (dialect.name, with_state, still_open, closed, created)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    quote = dialect.identifier_preparer.quote
    assignments = []
    processors: list[Any] = []
    for name in (*_CASE_SET, *(("state",) if with_state else ())):
        kind = _CASE.c[name].type
        assignments.append(f"{quote(name)} = %s::{kind.compile(dialect=dialect)}")
        processors.append(kind.dialect_impl(dialect).bind_processor(dialect))
    processors += [None, None]  # the case's id and the version it was read at
    parts = [f"written AS (UPDATE {quote(_CASE.name)} SET {', '.join(assignments)} "
             "WHERE id = %s::INTEGER AND lock_version = %s::INTEGER RETURNING id)"]
    task = quote(_TASK.name)
    sets = ", ".join(f"{quote(name)} = batch.{value}"
                     for name, value in zip(_CHANGED.columns, _CHANGED.values(dialect)) if name != "id")
    for present, name, extra in ((still_open, "kept", ""), (closed, "closed", ", draft = NULL")):
        if present:
            parts.append(f"{name} AS (UPDATE {task} SET {sets}{extra} FROM {_CHANGED.source(dialect)} "
                         f"WHERE {task}.id = batch.id AND EXISTS (SELECT FROM written))")
    opened = "NULL::integer[]"
    if created:
        parts.append(f"opened AS (INSERT INTO {task} ({', '.join(quote(c) for c in _NEW)}) "
                     f"SELECT {', '.join(_CREATED.values(dialect))} FROM {_CREATED.source(dialect)} "
                     "WHERE EXISTS (SELECT FROM written) ORDER BY batch.n RETURNING id)")
        opened = "ARRAY(SELECT id FROM opened)"
    found = _STATEMENTS[key] = (f"WITH {', '.join(parts)} SELECT (SELECT count(*) FROM written), {opened}",
                                processors)
    return found
