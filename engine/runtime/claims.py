"""What the periodic scans (`reminders`, `digest`) share: claiming a reminder so it is told once
however many workers scan at the same time, the open tasks they look at, and who may claim a pool
task (the people holding its lane's role in the case's scope)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence, cast

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.access import Grant, deputies_now
from engine.models import RUNNING, HumanTask, ProcessInstance, ReminderSent, RoleAssignment, User


@dataclass(frozen=True)
class DueTask:
    """An open task as a reminder tells of it."""

    id: int
    instance_id: int
    name: str
    lane_role: str | None
    store_code: str | None
    region: str | None
    assignee_id: int | None
    due_at: datetime | None
    created_at: datetime
    title: str
    business_key: str | None

    def facts(self, now: datetime) -> dict[str, Any]:
        """The task as an item of a batch or a digest (the outbox payload's `items`)."""
        return {"task_id": self.id, "instance_id": self.instance_id, "title": self.title,
                "business_key": self.business_key, "step": self.name,
                "due_at": self.due_at.isoformat() if self.due_at else None,
                "overdue": self.due_at is not None and self.due_at <= now}


def open_tasks() -> Select[Any]:
    """Open tasks of running cases, with their case's title and business key (add the filters)."""
    query = (select(HumanTask.id, HumanTask.instance_id, HumanTask.name, HumanTask.lane_role,
                    HumanTask.store_code, HumanTask.region, HumanTask.assignee_id, HumanTask.due_at,
                    HumanTask.created_at, ProcessInstance.title, ProcessInstance.business_key)
             .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .where(HumanTask.state == "open", ProcessInstance.status == RUNNING))
    return cast(Select[Any], query)


def load_tasks(session: Session, query: Select[Any]) -> list[DueTask]:
    return [DueTask(*row) for row in session.execute(query)]


def claim(session: Session, keys: Iterable[str], now: datetime) -> set[str]:
    """Record the reminders `keys` as told, in the caller's transaction; the keys this transaction got.

    A key already recorded (by an earlier scan, or another worker's committed one) is left out; on
    PostgreSQL a key another worker's open transaction is inserting waits for it, then is left out
    if it committed. So each reminder is told once, without locking the tasks the commands work on."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ReminderSent.__table__).on_conflict_do_nothing().returning(ReminderSent.key)
    got = session.connection().execute(statement, [{"key": k, "sent_at": now} for k in wanted])
    return set(got.scalars())


def claimers(session: Session, tasks: Sequence[DueTask], now: datetime) -> dict[int, list[int]]:
    """The active people who may claim each of `tasks` (pool tasks) at `now`, deputies of the away
    ones included: two queries for all of them."""
    roles = sorted({t.lane_role for t in tasks if t.lane_role})
    if not roles:
        return {}
    holders: dict[str, list[tuple[int, Grant]]] = defaultdict(list)
    for user_id, role, store_code, region in session.execute(
            select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.store_code,
                   RoleAssignment.region).join(User, User.id == RoleAssignment.user_id)
            .where(User.active.is_(True), RoleAssignment.role.in_(roles))):
        holders[role].append((user_id, Grant(role, store_code, region)))
    found = {t.id: {user_id for user_id, grant in holders.get(t.lane_role or "", ())
                    if grant.covers(t.lane_role, t.store_code, t.region)} for t in tasks}
    deputies = deputies_now(session, {p for people in found.values() for p in people}, now)
    return {task_id: sorted(people | {deputies[p][0] for p in people if p in deputies})
            for task_id, people in found.items()}


def told_of(kind: str, task: DueTask, recipient: int, now: datetime, *, message: str = "",
            items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A notification row (as `notify.tell` takes it) about `task`, caused by no one."""
    extra: dict[str, Any] = {"due_at": task.due_at.isoformat() if task.due_at else None}
    if items is not None:
        extra["items"] = items
    return {"recipient_id": recipient, "kind": kind, "instance_id": task.instance_id, "task_id": task.id,
            "actor_id": None, "title": task.title[:255], "business_key": task.business_key,
            "step": task.name, "message": message, "created_at": now, "read_at": None, "extra": extra}
