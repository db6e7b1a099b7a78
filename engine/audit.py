"""Audit events of a command, written in one batch after the command's rows are flushed.

A command produces several events (the task completed, each element reached, each task created);
collecting them and inserting them with one executemany keeps the unit of work small. Events of a
command that fails never reach the table: a rollback drops the batch with the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import AuditEvent, HumanTask

_KEY = "opsflow_pending_events"
_INSERT = AuditEvent.__table__.insert()


@dataclass
class PendingEvent:
    instance_id: int | None
    task: HumanTask | None
    event_type: str
    element_id: str | None
    actor_id: int | None
    at: datetime
    message: str
    data: dict[str, Any] | None


def pending_events(session: Session) -> list[PendingEvent]:
    return session.info.setdefault(_KEY, [])


def write_pending_events(session: Session) -> None:
    """Insert the collected events; the tasks they name must have been flushed (they have ids)."""
    batch = session.info.pop(_KEY, None)
    if not batch:
        return
    session.connection().execute(_INSERT, [
        {"instance_id": e.instance_id, "task_id": e.task.id if e.task is not None else None,
         "event_type": e.event_type, "element_id": e.element_id, "actor_id": e.actor_id, "at": e.at,
         "message": e.message, "data": e.data} for e in batch])


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_KEY, None)
