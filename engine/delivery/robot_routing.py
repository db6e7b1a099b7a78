"""Which group robots hear of what happens in a store, decided in the command's transaction.

A robot hears the events its `events` list names (new robots are offered `SCOPED_DEFAULT`; the
operations center's robot set from the environment starts with `CENTER_DEFAULT`), for the
cases in its scope: a store's robot its store's cases, a region's robot its region's stores, the
operations center's robot every case. The events (`ROBOT_EVENTS`):

- `task_created`: a new task waits in the store (the step's name, its due time);
- `task_overdue`: a task passed its due time (told once, by the periodic reminder scan);
- `task_urged`: someone urged a task;
- `case_ended`: a case ended: its outcome (approved, rejected, completed), withdrawn or terminated.

Each event queues one outbox row per robot holding facts only (`ROBOT_FACTS`); the text is
rendered when it leaves, like every message.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance, Robot

from .outbox import enqueue, outbox_row

ROBOT_EVENTS = ("task_created", "task_overdue", "task_urged", "case_ended")
#: What a new store's or region's robot is offered, and the operations center's from the environment.
SCOPED_DEFAULT = ("task_created", "task_overdue", "case_ended")
CENTER_DEFAULT = ("task_overdue", "case_ended")
CENTER, REGION, STORE = "center", "region", "store"
SCOPES = (CENTER, REGION, STORE)
#: The facts a robot event carries (the outbox row's payload); `due_at` as ISO 8601 text.
ROBOT_FACTS = ("event", "instance_id", "task_id", "store_code", "region", "title", "business_key", "step",
               "due_at", "outcome", "actor_id", "message")


def robot_event(event: str, at: datetime, **facts: Any) -> dict[str, Any]:
    """One event for `route_robot_events`; `facts` are among `ROBOT_FACTS` (a datetime `due_at`
    is stored as text)."""
    if event not in ROBOT_EVENTS:
        raise ValueError(f"unknown robot event {event!r}; one of {ROBOT_EVENTS}")
    unknown = set(facts) - set(ROBOT_FACTS)
    if unknown:
        raise ValueError(f"unknown robot facts {sorted(unknown)}")
    due = facts.get("due_at")
    return {**{k: facts.get(k) for k in ROBOT_FACTS}, "event": event, "at": at,
            "due_at": due.isoformat() if isinstance(due, datetime) else due}


def robot_hears(events: Sequence[str] | None, event: str) -> bool:
    """Whether a robot with that `events` list hears `event`."""
    return event in (events or ())


def route_robot_events(session: Session, events: Sequence[dict[str, Any]],
                       outbox: list[dict[str, Any]] | None = None) -> int:
    """Queue a message to every active robot that hears each of `events` (from `robot_event`); the
    count queued (added to `outbox` when given, see `enqueue`). One prebuilt query per store and region
    named (one, for a command's events)."""
    if not events:
        return 0
    places = sorted({(e.get("store_code") or "", e.get("region") or "") for e in events})
    robots: dict[int, Any] = {}
    for store, region in places:
        for r in session.connection().execute(_ROBOTS_IN_SCOPE, {"store": store, "region": region}):
            robots[r.id] = r
    if not robots:
        return 0
    rows = []
    for e in events:
        for robot_id, r in sorted(robots.items()):
            where = e.get("store_code") if r.scope == STORE else e.get("region")
            if (r.scope == CENTER or r.scope_value == where) and robot_hears(r.events, e["event"]):
                rows.append(outbox_row(r.kind, e["event"], {k: e.get(k) for k in ROBOT_FACTS}, e["at"],
                                       robot_id=robot_id, instance_id=e.get("instance_id")))
    return enqueue(session, rows, outbox)


def tell_robots_overdue(session: Session, task_ids: Sequence[int], now: datetime) -> int:
    """Queue `task_overdue` for these tasks (the reminder scan calls it once per overdue task, in
    the transaction that records the reminder); the count queued."""
    if not task_ids:
        return 0
    found = session.execute(
        select(HumanTask.id, HumanTask.instance_id, HumanTask.name, HumanTask.due_at, HumanTask.store_code,
               HumanTask.region, ProcessInstance.title, ProcessInstance.business_key)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.id.in_(sorted(set(task_ids)))).order_by(HumanTask.id))
    return route_robot_events(session, [
        robot_event("task_overdue", now, instance_id=t.instance_id, task_id=t.id, step=t.name,
                    due_at=t.due_at, store_code=t.store_code, region=t.region, title=t.title,
                    business_key=t.business_key)
        for t in found])


def robots_in_scope(store: Any, region: Any) -> Any:
    """The WHERE of the active robots that may hear of a case at `store` in `region` (bound
    parameters, or a case row's columns: a command's read of its case asks whether any robot could
    hear of it, and skips `route_robot_events`' query when none could)."""
    return and_(Robot.active.is_(True),
                or_(Robot.scope == CENTER, and_(Robot.scope == STORE, Robot.scope_value == store),
                    and_(Robot.scope == REGION, Robot.scope_value == region)))


#: The active robots of the operations center, a store and its region: built once, as the command
#: path's statements are (it runs on every step that opens a task).
_ROBOTS_IN_SCOPE = select(Robot.id, Robot.kind, Robot.scope, Robot.scope_value, Robot.events).where(
    robots_in_scope(bindparam("store"), bindparam("region")))
