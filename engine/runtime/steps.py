"""The steps every command shares: run the workflow until it waits, then store the case, its task
rows and its events.

Plain functions with everything they use passed in, so a command reads as the list of steps it
takes and no step reaches back into the `Engine` that called it.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Callable, Iterable, Iterator, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.bpmn import state
from engine.bpmn.specs import task_property
from engine.clock import next_timer
from engine.db import is_lock_conflict
from engine.errors import ConcurrentUpdate, Conflict
from engine.models import COMPLETED, RUNNING, Store, User
from engine.policy import ProcessPolicy
from engine.sandbox.model_code import running_model

from . import case_size, rollups
from .audit import PendingEvent, pending_events, reached_from
from .case_rows import CaseRow, TaskRow
from .case_writes import write_case_and_tasks
from .event_writes import write_events
from .sync import TaskChanges, sync_tasks

MAX_ROUNDS = 100  # rounds of engine steps per command; a round ends when only timers may move it on


@dataclass(frozen=True)
class Run:
    """What running a case needs besides the case: the time its model sees (`clock`; a timer run
    sees the time it fires at), the time its events are stamped with, its process's policy and the
    size limit of its data, and the business time zone its rollups count days in."""

    clock: Callable[[], datetime]
    stamp: Callable[[], datetime]
    policy: ProcessPolicy
    max_case_bytes: int
    zone: tzinfo | None = None


def record(session: Session, case: CaseRow | None, event_type: str, user: User | None, at: datetime,
           *, task: TaskRow | None = None, element: str | None = None, message: str = "",
           data: dict[str, Any] | None = None) -> None:
    """Queue an audit event; `store` writes the queue with the command's rows."""
    pending_events(session).append(PendingEvent(
        instance_id=case.id if case else None, task=task, event_type=event_type,
        element_id=element or (task.element_id if task else None), actor_id=user.id if user else None,
        at=at, message=message or "", data=data))


def recorder(clock: Callable[[], datetime]) -> Callable[..., None]:
    """`record` stamping events with `clock`, in the shape `sync_tasks` calls it."""
    def event(session: Session, case: CaseRow | None, event_type: str, user: User | None,
              **fields: Any) -> None:
        record(session, case, event_type, user, clock(), **fields)
    return event


def advance(session: Session, case: CaseRow, workflow: BpmnWorkflow, user: User | None, run: Run,
            held: Iterable[TaskRow] = (), stored_open: list[TaskRow] | None = None) -> list[TaskRow]:
    """Run the workflow until it waits, then store it with its task rows and events.

    `held` are task rows the command changed before running the workflow, `stored_open` the
    case's open rows if the command has read them (see `sync_tasks`); returns the open rows."""
    reached: list[Any] = []
    running: list[Any] = []

    def did_complete(task: Any) -> None:
        if task.task_spec.bpmn_id and not task.task_spec.manual:
            reached.append(task)

    with running_model(run.clock, running):
        workflow.do_engine_steps(will_complete_task=running.append, did_complete_task=did_complete)
        # do_engine_steps looks at the timers last and leaves the ones already due READY, with
        # no waiting timer left to schedule them: run on until nothing automatic is ready.
        for _ in range(MAX_ROUNDS):
            if workflow.get_next_task(state=TaskState.READY, manual=False) is None:
                break
            workflow.do_engine_steps(will_complete_task=running.append, did_complete_task=did_complete)
    now = run.clock()
    for task in reached:
        spec = task.task_spec
        record(session, case, "step", None, run.stamp(), element=spec.bpmn_id, message=spec.bpmn_name or "",
               data={"from": reached_from(task)})
        outcome = task_property(spec, "outcome") if task.workflow is workflow else None  # not a callee's end
        if outcome and case.outcome is None:
            # The requester hears the outcome when the main path ends, even while a side
            # branch (quality feedback, an escalation) still keeps the process running.
            _record_outcome(session, case, outcome, spec.bpmn_id, run.stamp())
    if workflow.is_completed():
        _complete(session, case, workflow, now, run.stamp())
    case.state = case_size.checked_dumps(workflow, [*_spiff_tasks(workflow, held), *reached],
                                         run.max_case_bytes)
    case.serializer_version = state.SERIALIZER_VERSION
    case.next_timer_at = next_timer(workflow) if case.status == RUNNING else None
    changes = sync_tasks(session, case, workflow, now, run.policy, recorder(run.stamp), held,
                         stored_open)
    store(session, case, changes, now=now, zone=run.zone)
    return changes.still_open


def store(session: Session, case: CaseRow, changes: TaskChanges, *, now: datetime,
          with_state: bool = True, zone: tzinfo | None = None) -> None:
    """Write the case (moving its version on), its changed and new task rows, the events, the
    notifications they call for, and what the steps completed and the case's end add to the
    dashboard's rollups (counted in `zone`: a command that may complete or end passes the engine's)."""
    case.updated_at = now
    with _writes(case):
        write_case_and_tasks(session, case, changes.changed, changes.created, with_state=with_state)
        rollups.count_stored(session, case, changes.changed, zone)
        write_events(session, case)


def ready_task(workflow: BpmnWorkflow, spiff_task_id: str) -> Any:
    """The workflow's task a task row stands for, while it is still READY (Conflict otherwise)."""
    try:
        task = workflow.get_task_from_id(UUID(spiff_task_id))
    except Exception:
        raise Conflict("the task no longer exists in the case; reload") from None
    if task.state != TaskState.READY:
        raise Conflict(f"the task is {TaskState.get_name(task.state).lower()}, not ready; reload")
    return task


def _complete(session: Session, case: CaseRow, workflow: BpmnWorkflow, now: datetime,
              stamp: datetime) -> None:
    case.status, case.ended_at = COMPLETED, now
    if case.outcome is None:
        end = _final_outcome(workflow)
        outcome = task_property(end.task_spec, "outcome") if end is not None else None
        if outcome:
            _record_outcome(session, case, outcome, end.task_spec.bpmn_id, stamp)
        else:
            case.outcome = "completed"
    _apply_store_status(session, case, workflow.data, stamp)
    record(session, case, "completed", None, stamp, message=case.outcome or "")


def _record_outcome(session: Session, case: CaseRow, outcome: str, element: str, now: datetime) -> None:
    case.outcome = outcome
    record(session, case, "outcome", None, now, element=element, message=outcome,
           data={"outcome": outcome, "notify": case.started_by_id})


def _apply_store_status(session: Session, case: CaseRow, data: Mapping[str, Any], now: datetime) -> None:
    status, code = data.get("store_status"), data.get("store_code")
    if status in ("planned", "open", "closed") and code:
        store_row = session.get(Store, code)
        if store_row is not None and store_row.status != status:
            store_row.status = status
            record(session, case, "store_status", None, now, message=f"{code} → {status}",
                   data={"store_code": code, "status": status})


@contextlib.contextmanager
def _writes(case: CaseRow) -> Iterator[None]:
    """Turn a write that waited on or lost to another transaction on the case into ConcurrentUpdate."""
    try:
        yield
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        raise ConcurrentUpdate(f"case {case.id} is being changed by someone else; try again") from None


def _final_outcome(workflow: BpmnWorkflow) -> Any:
    """The last completed element of the process itself that says how the case ended (`outcome`),
    for a case that completes without its outcome having been recorded as its end event passed."""
    done = [t for t in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if task_property(t.task_spec, "outcome")]
    return max(done, key=lambda t: t.last_state_change) if done else None


def _spiff_tasks(workflow: BpmnWorkflow, rows: Iterable[TaskRow]) -> list[Any]:
    return [workflow.get_task_from_id(UUID(row.spiff_task_id)) for row in rows if row.kind == "step"]
