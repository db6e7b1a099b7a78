"""离职交接: an administrator moves every task a person holds to a named colleague in one action,
usually as the person leaves (and is deactivated in the same transaction).

Each task is handed on like a transfer (`task_transferred` on its case, with the reason and
`handover: true`, so the colleague is told and the case's history says so), on any case that still
has it open, whatever the case's status; the administrators' trail gets one `tasks_handed_over`.
The colleague need not hold every role: a task held by name may be done by name, as a model's
assignee is; the page says which tasks they lack the role for.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import require_admin
from engine.access.admin import record_change
from engine.directory import set_active
from engine.errors import InvalidData, NotFound
from engine.models import HumanTask, User

from . import case_rows
from .engine import Engine
from .incidents import checked_reason
from .steps import record, store
from .sync import TaskChanges


@dataclass(frozen=True)
class HandoverResult:
    """What moved: the tasks (ids), on how many cases, to whom; and whether the person is now inactive."""

    username: str
    to: str
    task_ids: tuple[int, ...]
    cases: int
    deactivated: bool

    def to_dict(self) -> dict[str, object]:
        return {"username": self.username, "to": self.to, "task_ids": list(self.task_ids),
                "moved": len(self.task_ids), "cases": self.cases, "deactivated": self.deactivated}


def hand_over(engine: Engine, session: Session, actor: User, user_id: int, to_username: str,
              reason: str | None, *, deactivate: bool = True) -> HandoverResult:
    """Give every open task `user_id` holds to `to_username`, and (by default) deactivate them; one
    transaction, the caller commits. Refused before writing anything."""
    require_admin(actor)
    person = session.get(User, user_id)
    if person is None:
        raise NotFound(f"user {user_id} does not exist")
    colleague = session.scalar(select(User).where(User.username == (to_username or "").strip(),
                                                  User.active.is_(True)))
    if colleague is None:
        raise InvalidData(f"unknown user {to_username!r}", {"to": "unknown"})
    if colleague.id == person.id:
        raise InvalidData("the colleague must be someone else", {"to": "self"})
    if deactivate and person.id == actor.id:
        raise InvalidData("an administrator may not deactivate themselves", {"active": "own_account"})
    reason = checked_reason(reason)
    case_ids = sorted(set(session.scalars(select(HumanTask.instance_id).where(
        HumanTask.assignee_id == person.id, HumanTask.state == "open"))))
    now = engine.clock()
    held: list[int] = []
    for case_id in case_ids:  # one write per case, guarded by its version like any command's
        case = engine.case_row(session, case_id)
        tasks = [t for t in case_rows.open_tasks(session, case_id) if t.assignee_id == person.id]
        for task in tasks:
            task.assignee_id, task.assignee, task.claimed_at = colleague.id, colleague.username, now
            task.on_behalf_of_id = None
            record(session, case, "task_transferred", actor, now, task=task, message=reason,
                   data={"from": person.username, "to": colleague.username, "handover": True})
            held.append(task.id or 0)
        store(session, case, TaskChanges(changed=tasks), now=now, with_state=False)
    record_change(session, actor, "tasks_handed_over", person.username,
                  {"to": colleague.username, "tasks": held, "reason": reason}, now)
    if deactivate and person.active:
        set_active(session, actor, person.id, False, now)
    return HandoverResult(username=person.username, to=colleague.username, task_ids=tuple(held),
                          cases=len(case_ids), deactivated=not person.active)
