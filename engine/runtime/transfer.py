"""转交: the person holding a task hands it to a named colleague who may do the step.

Unlike a supervisor's reassignment (`Engine.assign`), the holder asks for it themselves and must
say why; the colleague must hold the step's lane role in the case's scope, whoever asks, and finds
the task in their 待办 at once. Supervisors of the case may transfer any open task, held or not.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import deputy_for, holds_role_for, may_supervise
from engine.errors import Conflict, InvalidData, PermissionDenied
from engine.models import User
from engine.views import TaskView

from .case_rows import task_row_view
from .engine import Engine
from .steps import record, store
from .sync import TaskChanges

#: The longest reason kept with a transfer.
MAX_TRANSFER_REASON = 2000


def transfer(engine: Engine, session: Session, task_id: int, user: User, to_username: str,
             reason: str) -> TaskView:
    """Give the open task to `to_username` (one transaction, caller commits)."""
    task, case, _ = engine.open_task(session, task_id)
    if task.assignee_id != user.id and not may_supervise(session, user, case, rules=engine.supervision):
        raise PermissionDenied(f"{user.username} may not transfer task {task_id}: it is not theirs")
    if task.kind != "step":
        raise Conflict(f"task {task_id} is an approval asked of its holder: it is decided, not handed on")
    if task.waiting_on:
        raise Conflict(f"task {task_id} waits on the approvers its holder asked (加签)")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidData("a reason is required", {"reason": "required"})
    if len(reason) > MAX_TRANSFER_REASON:
        raise InvalidData(f"the reason is too long (at most {MAX_TRANSFER_REASON} characters)",
                          {"reason": f"at most {MAX_TRANSFER_REASON} characters"})
    target = session.scalar(select(User).where(User.username == (to_username or "").strip(),
                                               User.active.is_(True)))
    if target is None:
        raise InvalidData(f"unknown user {to_username!r}", {"to": "unknown user"})
    if target.id == task.assignee_id:
        raise InvalidData(f"{target.username} already holds task {task_id}", {"to": "already holds the task"})
    if not holds_role_for(target, task):
        raise InvalidData(f"{target.username} does not hold the role for this task in the case's scope",
                          {"to": "does not hold the role for this task"})
    now = engine.clock()
    previous = task.assignee
    deputy = deputy_for(session, target, task, now)  # 代理: the colleague is away
    holder = deputy or target
    task.assignee_id, task.assignee, task.claimed_at = holder.id, holder.username, now
    task.on_behalf_of_id = target.id if deputy else None
    record(session, case, "task_transferred", user, now, task=task, message=reason,
           data={"from": previous, "to": holder.username,
                 **({"on_behalf_of": target.username} if deputy else {})})
    store(session, case, TaskChanges(changed=[task]), now=now, with_state=False)
    return task_row_view(task, case)
