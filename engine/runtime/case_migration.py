"""Moving running cases of a process from one version to another (an administrator's command).

A dry run tells, per case, whether it can move and what stands in the way (`engine.bpmn.retarget`
does the moving and the checking; a dry run is a move that is thrown away). The real run moves the
cases in batches of ids, each case in a transaction of its own, guarded by the case row's
`lock_version` like every command: a case another command changed meanwhile is reported as a
conflict and left where it was, the others go on.

After a move the case's rows follow the new version: its `version_id` (so the case page draws the
new diagram), the open task rows' element, name, role, form and priority, and the timers
(`next_timer_at`, from the moved workflow: `engine.bpmn.moved_timers` says which timers keep their
time, which are armed counted from the move and which are disarmed; the event names them); a step
mapped into another lane goes to the holder of its new role (as a new step does): the old holder no
longer holds it. A task row keeps its due date while its element's due hours stay the same; when
the element is mapped to another or its due hours changed, the due date is counted afresh from when
the step opened (`created_at`) with the new hours: the step has been waiting that long already, the
new rule says how long it may wait in all.
Every moved case gets a `case_migrated` event (from and to version, the mapping used, by whom).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.access.admin import require_admin
from engine.bpmn.retarget import Alignment, Blocker, check_mapping, migration_versions, move
from engine.bpmn.specs import form_filename, task_property
from engine.db import is_lock_conflict
from engine.errors import ConcurrentUpdate, Conflict, InvalidData, ProcessError
from engine.models import (
    NOT_ENDED,
    SEED_MARK,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    User,
)
from engine.sandbox.model_code import running_model

from . import case_rows
from .assignment import assign_new_tasks
from .audit import pending_events
from .case_rows import CaseRow
from .engine import Engine
from .steps import advance, record, recorder

BATCH = 200
MIGRATED = "case_migrated"
#: Why a case was not moved besides its blockers: not on the source version, ended, changed meanwhile,
#: or its model failed as the moved case ran on (a script, a decision, its data's size limit).
NOT_ON_VERSION, NOT_RUNNING, CONFLICT, FAILED = "not_on_version", "not_running", "conflict", "failed"

_task = HumanTask.__table__
_RETARGET = update(_task).where(_task.c.id == bindparam("b_id")).values(
    element_id=bindparam("element_id"), name=bindparam("name"), lane_role=bindparam("lane_role"),
    form_file=bindparam("form_file"), priority=bindparam("priority"), due_at=bindparam("due_at"),
    assignee_id=bindparam("assignee_id"), on_behalf_of_id=bindparam("on_behalf_of_id"),
    claimed_at=bindparam("claimed_at"))
_case = ProcessInstance.__table__
_MOVE_CASE = update(_case).where(_case.c.id == bindparam("b_id"), _case.c.lock_version == bindparam("b_lock")
                                 ).values(version_id=bindparam("version_id"))


@dataclass(frozen=True)
class CaseMove:
    """One case in a migration: what it waits on, whether it can move (or moved), and why not."""

    instance_id: int
    business_key: str | None
    title: str
    waiting: tuple[tuple[str, str], ...] = ()
    blockers: tuple[Blocker, ...] = ()
    refused: str | None = None  # NOT_ON_VERSION, NOT_RUNNING, CONFLICT or FAILED
    moved: bool = False
    error: str = ""  # what failed (FAILED)

    @property
    def movable(self) -> bool:
        return not self.blockers and self.refused is None


@dataclass(frozen=True)
class MigrationReport:
    process_key: str
    from_version: int
    to_version: int
    dry_run: bool
    mapping: Mapping[str, str]
    cases: list[CaseMove] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(c.moved for c in self.cases)


def migrate_cases(engine: Engine, sessions: Callable[[], Session], user: User, process_key: str,
                  from_version: Any, to_version: Any, *, instance_ids: Sequence[int] | None = None,
                  mapping: Mapping[str, str] | None = None, dry_run: bool = True,
                  batch: int = BATCH) -> MigrationReport:
    """Check (`dry_run`) or move the running cases of `process_key` on `from_version` (those of
    `instance_ids`, or all) to `to_version`, with the administrator's `mapping` of old element ids to
    new ones. The input is checked first (InvalidData naming the field; nothing changes); then
    each case is read, moved and committed in a session of its own from `sessions`."""
    require_admin(user)
    with sessions() as session:
        source, target = migration_versions(session, process_key, from_version, to_version)
        alignment = Alignment(engine.process(session, source.id), engine.process(session, target.id),
                              check_mapping(engine.process(session, source.id),
                                            engine.process(session, target.id), mapping))
        chosen = _chosen_ids(session, instance_ids)
    report = MigrationReport(process_key, source.version, target.version, dry_run, alignment.mapping)
    for ids in _batches(sessions, source, chosen, batch):
        for instance_id in ids:
            with sessions() as session:
                try:
                    result = move_case(engine, session, user, instance_id, source, target, alignment,
                                       dry_run=dry_run)
                except ConcurrentUpdate:
                    session.rollback()
                    result = _refused(engine.case_row(session, instance_id), CONFLICT)
                except (Conflict, ProcessError) as exc:  # this case's model failed on: the others go on
                    session.rollback()
                    pending_events(session).clear()
                    failed = _refused(engine.case_row(session, instance_id), FAILED)
                    result = replace(failed, error=exc.message)
                if result.moved:
                    session.commit()
                else:
                    session.rollback()
            report.cases.append(result)
    return report


def _batches(sessions: Callable[[], Session], source: ProcessVersion, chosen: list[int] | None,
             batch: int) -> Iterator[list[int]]:
    """The cases to move, `batch` ids at a time: the chosen ones, or the running cases of the source
    version read a page at a time (by id, so a page is never read twice whatever moved meanwhile)."""
    if chosen is not None:
        for start in range(0, len(chosen), batch):
            yield chosen[start:start + batch]
        return
    after = 0
    while True:
        with sessions() as session:
            ids = list(session.scalars(
                select(ProcessInstance.id).where(ProcessInstance.version_id == source.id,
                                                 ProcessInstance.status.in_(NOT_ENDED),
                                                 ProcessInstance.serializer_version != SEED_MARK,
                                                 ProcessInstance.id > after)
                .order_by(ProcessInstance.id).limit(batch)))
        if not ids:
            return
        yield ids
        after = ids[-1]


def _chosen_ids(session: Session, instance_ids: Sequence[int] | None) -> list[int] | None:
    """The cases the administrator named, each of which must exist (InvalidData otherwise)."""
    if instance_ids is None:
        return None
    query = select(ProcessInstance.id).order_by(ProcessInstance.id)
    wanted = sorted({int(i) for i in instance_ids})
    known = set(session.scalars(query.where(ProcessInstance.id.in_(wanted))))
    missing = [i for i in wanted if i not in known]
    if missing:
        raise InvalidData(f"case {missing[0]} does not exist", {"instance_ids": f"no case {missing[0]}"})
    return wanted


def move_case(engine: Engine, session: Session, user: User, instance_id: int, source: ProcessVersion,
              target: ProcessVersion, alignment: Alignment, *, dry_run: bool) -> CaseMove:
    """Move one case (not `dry_run`) in the caller's transaction, or say why it cannot move; the
    case's `lock_version` guards the write (ConcurrentUpdate when another command came first)."""
    case = engine.case_row(session, instance_id)
    if case.version_id != source.id or case.process_key != alignment.source.key:
        return _refused(case, NOT_ON_VERSION)
    if case.status not in NOT_ENDED or case.serializer_version == SEED_MARK:
        return _refused(case, NOT_RUNNING)
    _, workflow = engine.load(session, case)
    with running_model(engine.clock):
        outcome = move(workflow, alignment)
    found = CaseMove(case.id, case.business_key, case.title, tuple(outcome.waiting), tuple(outcome.blockers))
    if dry_run or not outcome.movable:
        return found
    open_rows = case_rows.open_tasks(session, case.id)
    record(session, case, MIGRATED, user, engine.clock(), message=f"{source.version} → {target.version}",
           data={"from": source.version, "to": target.version, "mapping": alignment.mapping or None,
                 "timers": outcome.timers.as_data() or None})
    _move_row(session, case, target)
    case.version_id, case.version = target.id, target.version
    _retarget_rows(session, engine, case, workflow, open_rows, alignment)
    advance(session, case, workflow, user, engine.run_for(case), stored_open=open_rows)
    return CaseMove(found.instance_id, found.business_key, found.title, found.waiting, moved=True)


def _move_row(session: Session, case: CaseRow, target: ProcessVersion) -> None:
    """Point the case at the target version, if its row is still as read (the `store` that follows
    moves its version on)."""
    try:
        moved = session.connection().execute(_MOVE_CASE, {"b_id": case.id, "b_lock": case.lock_version,
                                                          "version_id": target.id}).rowcount
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        moved = 0
    if moved != 1:
        raise ConcurrentUpdate(f"case {case.id} was changed by someone else; reload and try again")


def _retarget_rows(session: Session, engine: Engine, case: CaseRow, workflow: Any,
                   rows: Iterable[case_rows.TaskRow], alignment: Alignment) -> None:
    """Point the open step rows at their moved tasks' new elements (see the module's note on due dates)."""
    policy = engine.policy(case.process_key)
    moved, relaned = [], []
    for row in rows:
        if row.kind != "step":
            continue
        try:
            task = workflow.get_task_from_id(UUID(row.spiff_task_id))
        except Exception:  # gone with the move: `advance` cancels its row
            continue
        if task.state != TaskState.READY:
            continue
        spec = task.task_spec
        old = alignment.source.element(row.element_id)
        hours = task_property(spec, "dueInHours")
        due = row.due_at
        if spec.bpmn_id != row.element_id or hours != (task_property(old, "dueInHours") if old else None):
            due = policy.due_at(spec.bpmn_id, row.created_at, hours)
        if spec.lane != row.lane_role:  # mapped into another lane: its holder no longer holds the role
            row.assignee_id = row.assignee = row.on_behalf_of_id = row.claimed_at = None
            relaned.append((row, task))
        row.element_id, row.name, row.lane_role = spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, spec.lane
        row.form_file, row.due_at = form_filename(spec), due
        row.priority = _int(task_property(spec, "priority")) or row.priority
        moved.append(row)
    assign_new_tasks(session, case, workflow, relaned, engine.clock(), recorder(engine.clock))
    values = [{"b_id": row.id, "element_id": row.element_id, "name": row.name, "lane_role": row.lane_role,
               "form_file": row.form_file, "priority": row.priority, "due_at": row.due_at,
               "assignee_id": row.assignee_id, "on_behalf_of_id": row.on_behalf_of_id,
               "claimed_at": row.claimed_at} for row in moved]
    if values:
        session.connection().execute(_RETARGET, values)


def _refused(case: CaseRow, why: str) -> CaseMove:
    return CaseMove(case.id, case.business_key, case.title, refused=why)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
