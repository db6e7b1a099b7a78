"""The `connector_call` rows of the service tasks a case is waiting at: written as a command's run
reaches them, in its transaction, for the background runner (`connector_calls`) to pick up."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import CALL_PENDING, ConnectorCall


def note_service_tasks(session: Session, instance_id: int, tasks: Iterable[Any], now: datetime) -> None:
    """A row for each ready service task that has none yet, due now."""
    by_id = {str(t.id): t for t in tasks}
    known = set(session.scalars(select(ConnectorCall.spiff_task_id)
                                .where(ConnectorCall.spiff_task_id.in_(list(by_id)))))
    for spiff_id, task in by_id.items():
        if spiff_id not in known:
            spec = task.task_spec
            session.add(ConnectorCall(instance_id=instance_id, spiff_task_id=spiff_id,
                                      element_id=spec.bpmn_id, connector=spec.operation_name,
                                      status=CALL_PENDING, attempts=0, next_attempt_at=now, created_at=now,
                                      updated_at=now))
