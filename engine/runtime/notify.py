"""Who is told what (issue 12), read off the audit events a command writes: one place, so every
command that assigns, transfers, sends back, urges, cc's or ends a case tells its people without
saying so itself, and in its own transaction (a rolled-back command's events and notifications go
together).

Nobody is told of what they did themselves: the people who acted in the command are left out,
except the starter hearing their case's outcome (the process decided it, and today's `/outcomes`
page shows it to them whoever did the last step). Claimable tasks (batched per person), due soon,
overdue and the daily digest are told by the periodic scans in `reminders` and `digest`, @mentions
by `comments`; all go through `tell`, so each person's preferences decide the channels.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.delivery import EVENT_KINDS, route_notifications
from engine.models import HumanTask, Notification, User

from .audit import PendingEvent
from .case_rows import CaseRow
from .row_batches import BatchInsert

_INSERT = Notification.__table__.insert()
_COLUMNS = ("recipient_id", "kind", "instance_id", "task_id", "actor_id", "title", "business_key", "step",
            "message", "created_at", "read_at")
#: A command's inbox entries as one batch (`notifications_for` gives the rows).
NOTIFICATION_ROWS = BatchInsert(Notification.__table__, _COLUMNS)
#: What a person may be told, the `kind` of a notification.
KINDS = EVENT_KINDS
_BY_USERNAME = {"sent_back": ("assignee",), "approvers_added": ("usernames",),
                "task_submitted": ("usernames",), "task_urged": ("to",), "case_cc": ("to",)}
_ENDED = {"withdrawn": "withdrawn", "terminated": "terminated"}
#: The events that may tell someone: a batch without one (most steps of a complete) costs one scan.
_TELLING = frozenset({"task_assigned", "task_transferred", "sent_back", "approvers_added", "task_submitted",
                      "task_urged",
                      "case_cc", "outcome", "completed", *_ENDED})


def notifications_for(session: Session, case: CaseRow | None, batch: Sequence[PendingEvent],
                      outbox: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The inbox entries `batch` (one command's events on `case`) calls for, as rows for
    `NOTIFICATION_ROWS`; the messages to send are added to `outbox`. Nothing is written here: the
    command's store writes them with its events (`event_writes`)."""
    if case is None or not any(e.event_type in _TELLING for e in batch):
        return []
    rows = list(_notifications(session, case, batch))
    if not rows:
        return []
    return [tuple(r[c] for c in _COLUMNS) for r in route_notifications(session, rows, outbox)]


def tell(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Queue the messages `rows` (notification rows, each with an optional `extra` dict for the
    outbox payload) call for and insert the inbox entries their people keep; the entries' count."""
    kept = route_notifications(session, rows)
    if kept:
        session.connection().execute(_INSERT, [{k: v for k, v in r.items() if k != "extra"} for r in kept])
    return len(kept)


def _notifications(session: Session, case: CaseRow,
                   batch: Sequence[PendingEvent]) -> Iterable[dict[str, Any]]:
    actors = {e.actor_id for e in batch if e.actor_id is not None}
    ids = _user_ids(session, batch)

    def row(kind: str, recipient: int | None, e: PendingEvent, *, task_id: int | None = None,
            step: str | None = None, told_anyway: bool = False) -> dict[str, Any] | None:
        if recipient is None or (recipient in actors and not told_anyway):
            return None
        task = e.task
        return {"recipient_id": recipient, "kind": kind, "instance_id": case.id,
                "task_id": task_id if task_id is not None else (task.id if task is not None else None),
                "actor_id": e.actor_id, "title": case.title[:255], "business_key": case.business_key,
                "step": step or (task.name if task is not None else None), "message": e.message or "",
                "created_at": e.at, "read_at": None,
                "extra": {"due_at": task.due_at.isoformat() if task is not None and task.due_at else None}}

    found: list[dict[str, Any] | None] = []
    told: set[tuple[int, str]] = set()
    for e in batch:
        kind, data = e.event_type, e.data or {}
        if kind == "task_assigned" and e.task is not None:
            found.append(row("assigned", e.task.assignee_id, e))
        elif kind == "task_transferred" and e.task is not None:
            found.append(row("transferred", e.task.assignee_id, e))
        elif kind == "sent_back":
            reopened = next((x.task for x in batch if x.event_type == "task_created" and x.task is not None
                             and x.task.element_id == data.get("to")), None)
            found.append(row("sent_back", ids.get(data.get("assignee") or ""), e,
                             task_id=reopened.id if reopened else None, step=data.get("to_name")))
        elif e.task is not None and (kind == "task_submitted" or (
                kind == "approvers_added" and data.get("position") == "before")):
            people = [ids[n] for n in data.get("usernames") or () if n in ids]
            own = _approval_rows(session, e.task.id, people)
            found.extend(row("approver", own.get(p, (None, p))[1], e, task_id=own.get(p, (None, p))[0])
                         for p in people)
        elif kind == "task_urged":
            found.extend(row("urged", ids.get(n), e) for n in data.get("to") or ())
        elif kind == "case_cc":
            found.extend(row("cc", ids.get(n), e) for n in data.get("to") or ())
        elif kind == "outcome":
            found.append(row("outcome", data.get("notify"), e, told_anyway=True))
        elif kind == "completed" and e.message == "completed":  # ended with no outcome of its own
            found.append(row("finished", case.started_by_id, e, told_anyway=True))
        elif kind in _ENDED:
            holders = {x.task.assignee_id for x in batch if x.event_type == "task_cancelled"
                       and x.task is not None and x.task.assignee_id is not None}
            people = sorted(p for p in holders | {case.started_by_id} if p is not None)
            found.extend(row(_ENDED[kind], p, e, task_id=0) for p in people)
    for r in found:
        if r is None or (r["recipient_id"], r["kind"]) in told:
            continue
        told.add((r["recipient_id"], r["kind"]))
        if r["task_id"] == 0:  # an ended case's closed task: the entry links to the case
            r["task_id"] = None
        yield r


def _user_ids(session: Session, batch: Sequence[PendingEvent]) -> dict[str, int]:
    """The ids of the people events name by username (only those events name people so)."""
    names: set[str] = set()
    for e in batch:
        for key in _BY_USERNAME.get(e.event_type, ()):
            value = (e.data or {}).get(key)
            names.update([value] if isinstance(value, str) else value or ())
    if not names:
        return {}
    return dict(session.execute(select(User.username, User.id).where(User.username.in_(sorted(names)))).all())


def _approval_rows(session: Session, task_id: int | None, people: list[int],
                   ) -> dict[int | None, tuple[int, int | None]]:
    """For each person asked, their open approval row on the task and who holds it (their deputy
    while they are away), whom the entry tells and links to it."""
    if not people:
        return {}
    return {behalf or assignee: (row_id, assignee) for row_id, assignee, behalf in session.execute(
        select(HumanTask.id, HumanTask.assignee_id, HumanTask.on_behalf_of_id).where(
            HumanTask.parent_id == task_id, HumanTask.state == "open", HumanTask.kind == "approval",
            or_(HumanTask.assignee_id.in_(people), HumanTask.on_behalf_of_id.in_(people))))}
