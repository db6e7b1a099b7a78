"""Audit events of a command, written in one batch after the command's rows are flushed (with what they
tell: `event_writes`).

A command produces several events (the task completed, each element reached, each task created);
collecting them and inserting them in one statement keeps the unit of work small. Events of a
command that fails never reach the table: a rollback drops the batch with the rest.

The caller may name what it is serving (`tag_request`: the web request's id); every event the
session writes then carries it, so a log line and the audit trail of one request can be joined.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from engine.models import AuditEvent

from .case_rows import TaskRow
from .row_batches import BatchInsert

_KEY = "opsflow_pending_events"
_REQUEST = "opsflow_request_id"
_COLUMNS = ("instance_id", "task_id", "event_type", "element_id", "actor_id", "at", "message", "data",
            "request_id")
#: A command's events as one batch (`take_pending_events` gives the rows).
AUDIT_ROWS = BatchInsert(AuditEvent.__table__, _COLUMNS)


@dataclass
class PendingEvent:
    instance_id: int | None
    task: TaskRow | None
    event_type: str
    element_id: str | None
    actor_id: int | None
    at: datetime
    message: str
    data: dict[str, Any] | None


def pending_events(session: Session) -> list[PendingEvent]:
    return session.info.setdefault(_KEY, [])


def tag_request(session: Session, request_id: str | None) -> None:
    """Stamp the events this session writes from now on with `request_id` (None: stop)."""
    session.info[_REQUEST] = request_id


def take_pending_events(session: Session) -> tuple[list[PendingEvent], list[tuple[Any, ...]]]:
    """The collected events, taken from the session, and their rows for `AUDIT_ROWS` (`notify` reads
    who to tell from the events); the tasks they name must have been flushed (they have ids)."""
    batch = session.info.pop(_KEY, None)
    if not batch:
        return [], []
    request = session.info.get(_REQUEST)
    return batch, [(e.instance_id, e.task.id if e.task is not None else None, e.event_type, e.element_id,
                    e.actor_id, e.at, e.message, e.data, request) for e in batch]


def reached_from(task: Any) -> str | None:
    """The BPMN element the workflow came from to reach `task`, recorded as `from` in the task's
    event so the case diagram can mark the sequence flows actually taken. SpiffWorkflow's task tree
    records exactly that: the nearest ancestor that is a BPMN element (not one of its internal
    tasks, nor the multi-instance task around a task's instances)."""
    own = task.task_spec.bpmn_id
    parent = task.parent
    while parent is not None and (not parent.task_spec.bpmn_id or parent.task_spec.bpmn_id == own):
        parent = parent.parent
    return parent.task_spec.bpmn_id if parent is not None else None


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(AuditEvent, "before_insert")
def _stamp_request(mapper: Any, connection: Any, target: AuditEvent) -> None:
    """The events added one by one (comments, attachments, incidents, administration)."""
    session = object_session(target)
    if target.request_id is None and session is not None:
        target.request_id = session.info.get(_REQUEST)
