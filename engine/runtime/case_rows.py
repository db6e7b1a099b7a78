"""The case and task rows a command works on, read and written with prebuilt Core statements.

A command touches one case, the task it acts on and the tasks it opens or closes. Loading those as
ORM objects and writing them through the unit of work cost more than SpiffWorkflow's own work on
the case, so commands use plain records and a handful of statements built once at import: one read
of the task with its case and the case's other open tasks, one UPDATE of the case guarded by its
`lock_version`, one UPDATE for the changed tasks and
one INSERT for the new ones. The ORM classes stay
the schema and the read side; ORM objects of the same rows in the caller's session are expired
after a command writes, so nothing stale is ever read back or flushed over these writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import Integer, bindparam, exists, func, insert, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from engine.delivery import robots_in_scope
from engine.errors import ConcurrentUpdate
from engine.models import HumanTask, ProcessInstance, ProcessVersion, User
from engine.views import CaseView, TaskView, case_fields_view, task_fields_view


@dataclass(eq=False)
class CaseRow:
    """A `process_instance` row, with the version number and the starter's name its views show."""

    version_id: int
    process_key: str
    title: str
    status: str
    started_at: datetime
    updated_at: datetime
    state: str
    store_code: str | None = None
    region: str | None = None
    started_by_id: int | None = None
    business_key: str | None = None
    outcome: str | None = None
    ended_at: datetime | None = None
    next_timer_at: datetime | None = None
    last_error: str | None = None
    serializer_version: str = ""
    lock_version: int = 1
    id: int = 0  # given by `insert_case`
    version: int = 0
    started_by: str | None = None
    # the status as read or last stored: what the rollups count the case under until it is stored
    stored_status: str = field(init=False, default="")
    # whether an active robot could hear of this case (read with it by `load_task_and_open`; None:
    # not read, and the robots are asked when there is something to tell)
    robots_in_scope: bool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.stored_status = self.status


@dataclass(eq=False)
class TaskRow:
    """A `human_task` row, with the names of its assignee and completer for its views."""

    instance_id: int
    spiff_task_id: str
    process_key: str
    element_id: str
    name: str
    created_at: datetime
    lane_role: str | None = None
    store_code: str | None = None
    region: str | None = None
    form_file: str | None = None
    priority: int = 3
    due_at: datetime | None = None
    state: str = "open"
    assignee_id: int | None = None
    claimed_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by_id: int | None = None
    draft: dict[str, Any] | None = None
    kind: str = "step"
    parent_id: int | None = None
    position: str | None = None
    waiting_on: str | None = None
    after_approvers: list[str] | None = None
    decision: str | None = None
    comment: str | None = None
    on_behalf_of_id: int | None = None
    id: int | None = None
    assignee: str | None = None
    completed_by: str | None = None
    # the state as read or created: a step completed by this command is counted once in the rollups
    stored_state: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.stored_state = self.state


_case = ProcessInstance.__table__
_task = HumanTask.__table__
_version = ProcessVersion.__table__
_starter = User.__table__.alias("starter")
_assignee = User.__table__.alias("assignee")
_completer = User.__table__.alias("completer")

_CASE_COLUMNS = tuple(f.name for f in fields(CaseRow) if f.name in _case.c)
TASK_COLUMNS = tuple(f.name for f in fields(TaskRow) if f.name in _task.c)
CASE_WRITABLE = ("business_key", "title", "status", "outcome", "ended_at", "next_timer_at", "last_error",
                 "serializer_version")
# The draft is not among them: it changes without the case's version moving (see `save_draft`), so
# only a task's closing (which drops it) and `save_draft` write it.
TASK_WRITABLE = ("state", "assignee_id", "claimed_at", "completed_at", "completed_by_id", "waiting_on",
                 "after_approvers", "decision", "comment", "on_behalf_of_id")
# Rows are read positionally: the selected columns follow the records' fields, the joined names last.
assert [f.name for f in fields(CaseRow) if f.init] == [*_CASE_COLUMNS, "version", "started_by"]
assert [f.name for f in fields(TaskRow) if f.init] == [*TASK_COLUMNS, "assignee", "completed_by"]
_TASK_WIDTH = len([f for f in fields(TaskRow) if f.init])

_CASE_SELECTED = [*(_case.c[name] for name in _CASE_COLUMNS), _version.c.version, _starter.c.username]
_TASK_SELECTED = [*(_task.c[name] for name in TASK_COLUMNS), _assignee.c.username, _completer.c.username]


def _with_case(query: Any) -> Any:
    return (query.join(_version, _version.c.id == _case.c.version_id)
            .outerjoin(_starter, _starter.c.id == _case.c.started_by_id))


def _with_people(query: Any) -> Any:
    return (query.outerjoin(_assignee, _assignee.c.id == _task.c.assignee_id)
            .outerjoin(_completer, _completer.c.id == _task.c.completed_by_id))


_ID = bindparam("b_id", type_=Integer)
# The task, its case, and the case's other open tasks in one round trip; only the task's own row
# carries the (large) state, and whether any robot could hear of the case (most cases: none, and the
# command then sends no query for robots).
_ROBOTS_HEAR = exists().where(robots_in_scope(func.coalesce(_case.c.store_code, ""),
                                              func.coalesce(_case.c.region, "")))
_TASK_WITH_CASE_AND_OPEN = _with_people(_with_case(
    select(*_TASK_SELECTED, *(sql_case((_task.c.id == _ID, column), else_=None) if column is _case.c.state
                              else column for column in _CASE_SELECTED),
           sql_case((_task.c.id == _ID, _ROBOTS_HEAR), else_=None))
    .select_from(_task).join(_case, _case.c.id == _task.c.instance_id))).where(
    _task.c.instance_id == select(_task.c.instance_id).where(_task.c.id == _ID).scalar_subquery(),
    or_(_task.c.id == _ID, _task.c.state == "open")).order_by(_task.c.id)
_CASE = _with_case(select(*_CASE_SELECTED).select_from(_case)).where(
    _case.c.id == _ID)
_OPEN_TASKS = _with_people(select(*_TASK_SELECTED).select_from(_task)).where(
    _task.c.instance_id == _ID, _task.c.state == "open").order_by(_task.c.id)
_INSERT_CASE = insert(_case)
_SAVE_CASE = update(_case).where(_case.c.id == _ID,
                                 _case.c.lock_version == bindparam("b_lock", type_=Integer))
_INSERT_TASK = insert(_task)
_INSERT_TASKS = insert(_task).returning(_task.c.id, sort_by_parameter_order=True)
_SAVE_TASK = update(_task).where(_task.c.id == _ID)
_CLOSE_TASK = _SAVE_TASK.values(draft=None)
_SAVE_DRAFT = update(_task).where(_task.c.id == _ID, _task.c.state == "open", or_(
    _task.c.assignee_id.is_(None), _task.c.assignee_id == bindparam("b_user", type_=Integer)),
    _task.c.kind == "step", or_(_task.c.waiting_on.is_(None), _task.c.waiting_on != "approval"))
_KEEP_DRAFT = update(_task).where(_task.c.id == _ID)


def _connection(session: Session) -> Connection:
    """The session's connection, after writing whatever ORM changes it still holds: a command must
    read what the caller's transaction has changed so far."""
    session.flush()
    return session.connection()


def load_task(session: Session, task_id: int) -> tuple[TaskRow, CaseRow] | None:
    """The task with its case and the case's state: every task command needs all three."""
    found = load_task_and_open(session, task_id)
    return None if found is None else (found[0], found[1])


def load_task_and_open(session: Session, task_id: int) -> tuple[TaskRow, CaseRow, list[TaskRow]] | None:
    """`load_task`, plus the case's open task rows (the task itself among them while it is open),
    which a command that moves the workflow on brings into step; one round trip either way."""
    task = case = None
    rows = []
    for row in _connection(session).execute(_TASK_WITH_CASE_AND_OPEN, {"b_id": task_id}):
        record = TaskRow(*row[:_TASK_WIDTH])
        if record.id == task_id:
            task, case = record, CaseRow(*row[_TASK_WIDTH:-1])
            case.robots_in_scope = bool(row[-1])
        if record.state == "open":
            rows.append(record)
    return None if task is None or case is None else (task, case, rows)


def load_case(session: Session, case_id: int) -> CaseRow | None:
    row = _connection(session).execute(_CASE, {"b_id": case_id}).first()
    return None if row is None else CaseRow(*row)


def open_tasks(session: Session, case_id: int) -> list[TaskRow]:
    """The case's open task rows as stored, oldest first."""
    return [TaskRow(*row) for row in _connection(session).execute(_OPEN_TASKS, {"b_id": case_id})]


def insert_case(session: Session, case: CaseRow) -> None:
    values = {name: getattr(case, name) for name in _CASE_COLUMNS if name != "id"}
    case.id = _inserted_id(_connection(session), _INSERT_CASE, values)


def save_case(session: Session, case: CaseRow, *, with_state: bool) -> None:
    """Write the case and move its version on, or raise ConcurrentUpdate if someone else did first.

    The row is written even when nothing but the time changed (a claim), so a concurrent command
    on the same case, whatever it changed, fails on the version instead of overwriting this one."""
    values: dict[str, Any] = {name: getattr(case, name) for name in CASE_WRITABLE}
    values.update(updated_at=case.updated_at, lock_version=case.lock_version + 1,
                  b_id=case.id, b_lock=case.lock_version)
    if with_state:
        values["state"] = case.state
    if session.connection().execute(_SAVE_CASE, values).rowcount != 1:
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload and try again")
    case.lock_version += 1
    expire(session, ProcessInstance, [case.id])


def save_tasks(session: Session, tasks: Sequence[TaskRow]) -> None:
    """Write tasks a command claimed, assigned, completed or cancelled. Call it after `save_case`:
    the case's version is what keeps two commands from changing one task at once."""
    for statement, group in ((_SAVE_TASK, [t for t in tasks if t.state == "open"]),
                             (_CLOSE_TASK, [t for t in tasks if t.state != "open"])):
        rows = [{**{name: getattr(t, name) for name in TASK_WRITABLE}, "b_id": t.id} for t in group]
        if rows:
            session.connection().execute(statement, rows[0] if len(rows) == 1 else rows)
    expire(session, HumanTask, [t.id for t in tasks])


def save_draft(session: Session, task: TaskRow, user_id: int) -> bool:
    """Store the task's draft if the task is still open and not someone else's; drafts do not move
    the case's version (saving one must not make a colleague's completion fail), so the row itself
    is checked instead."""
    written = _connection(session).execute(
        _SAVE_DRAFT, {"draft": task.draft, "b_id": task.id, "b_user": user_id}).rowcount == 1
    expire(session, HumanTask, [task.id])
    return written


def keep_draft(session: Session, task: TaskRow) -> None:
    """Store the task's draft as it is in the record (a holder's data held for approvals after it);
    the caller has written the case, whose version guards the row."""
    session.connection().execute(_KEEP_DRAFT, {"draft": task.draft, "b_id": task.id})
    expire(session, HumanTask, [task.id])


def insert_tasks(session: Session, tasks: Sequence[TaskRow]) -> None:
    """Insert new task rows and give each its id."""
    rows = [{name: getattr(t, name) for name in TASK_COLUMNS if name != "id"} for t in tasks]
    if len(rows) == 1:  # the usual case, and a plain INSERT is cheaper than an INSERT ... RETURNING batch
        tasks[0].id = _inserted_id(session.connection(), _INSERT_TASK, rows[0])
    elif rows:
        new_ids = session.connection().execute(_INSERT_TASKS, rows).scalars()
        for task, new_id in zip(tasks, new_ids, strict=True):
            task.id = new_id


def _inserted_id(connection: Connection, statement: Insert, values: dict[str, Any]) -> int:
    key = connection.execute(statement, values).inserted_primary_key
    assert key is not None  # a single-row INSERT always reports the key it made
    return key[0]


def expire(session: Session, cls: type, ids: Iterable[int | None]) -> None:
    """Expire ORM objects of rows just written here, so the session reloads them when read again."""
    if not session.identity_map:
        return
    for ident in ids:
        obj = session.identity_map.get(session.identity_key(cls, ident))
        if obj is not None:
            session.expire(obj)


def task_row_view(task: TaskRow, case: CaseRow) -> TaskView:
    """The view of a task row a command holds, which carries its people's names already."""
    return task_fields_view(task, case, task.assignee, task.completed_by)


def case_row_view(case: CaseRow, open_tasks: list[TaskRow]) -> CaseView:
    """The view of a case row a command holds, with the open tasks it left (all stored by now)."""
    return case_fields_view(case, case.version, case.started_by,
                            [task_row_view(t, case) for t in sorted(open_tasks, key=lambda t: t.id or 0)])
