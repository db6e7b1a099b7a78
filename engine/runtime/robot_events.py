"""What the store's group robots hear of a command (issue 12), read off its audit events like the
notifications are: new tasks, urged tasks and the case's end. Overdue tasks are told by the
reminder scan, which calls `engine.delivery.route_robot_events` itself."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy.orm import Session

from engine.delivery import robot_event, route_robot_events

from .audit import PendingEvent
from .case_rows import CaseRow

_ENDS = frozenset({"outcome", "completed", "withdrawn", "terminated"})
_HEARD = frozenset({"task_created", "task_urged", *_ENDS})


def tell_robots(session: Session, case: CaseRow | None, batch: Sequence[PendingEvent],
                outbox: list[dict[str, Any]]) -> None:
    """Add the robot messages `batch` (one command's events on `case`) calls for, if any, to `outbox`
    (the command's store writes them with its events)."""
    if case is None or case.robots_in_scope is False or not any(e.event_type in _HEARD for e in batch):
        return
    events = list(_events(case, batch))
    if events:
        route_robot_events(session, events, outbox)


def _events(case: CaseRow, batch: Sequence[PendingEvent]) -> Any:
    facts = {"instance_id": case.id, "store_code": case.store_code, "region": case.region,
             "title": case.title[:255], "business_key": case.business_key}
    ended = False
    for e in batch:
        task = e.task
        if e.event_type == "task_created" and task is not None and task.kind == "step":
            yield robot_event("task_created", e.at, task_id=task.id, step=task.name, due_at=task.due_at,
                              actor_id=e.actor_id, **facts)
        elif e.event_type == "task_urged" and task is not None:
            yield robot_event("task_urged", e.at, task_id=task.id, step=task.name, due_at=task.due_at,
                              actor_id=e.actor_id, message=e.message or "", **facts)
        elif e.event_type in _ENDS and not ended:
            ended = True
            stopped = e.event_type in ("withdrawn", "terminated")  # by a person, with a reason
            yield robot_event("case_ended", e.at, outcome=e.event_type if stopped else case.outcome,
                              actor_id=e.actor_id, message=(e.message or "") if stopped else "", **facts)
