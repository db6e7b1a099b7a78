"""催办: the starter of a case, or a supervisor of it, urges a step that waits on someone.

The people the step waits on are told: its holder, or while nobody has taken it everyone who may
(the role's holders in the case's scope). Until notifications exist, "told" is the `task_urged`
event naming them, which the timeline shows and their task list marks. One person urges one step
at most once an hour (`TooSoon` otherwise), so an urge stays worth reading.
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access.holders import holders_in_scope
from engine.access.visibility import may_supervise
from engine.errors import InvalidData, PermissionDenied, TooSoon
from engine.models import AuditEvent, User

from .steps import record, store
from .sync import TaskChanges

if TYPE_CHECKING:
    from .engine import Engine

URGE_EVENT = "task_urged"
URGE_INTERVAL = timedelta(hours=1)
MAX_NOTE = 2000


def urge(engine: Engine, session: Session, task_id: int, user: User, note: str | None = "") -> list[str]:
    """Urge an open step; returns the usernames of the people told."""
    task, case, _ = engine.open_task(session, task_id)
    if case.started_by_id != user.id and not may_supervise(session, user, case, rules=engine.supervision):
        raise PermissionDenied(f"only the starter or a supervisor of case {case.id} may urge its steps")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidData("the note is too long", {"note": f"at most {MAX_NOTE} characters"})
    now = engine.clock()
    last = session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.task_id == task.id, AuditEvent.actor_id == user.id, AuditEvent.event_type == URGE_EVENT))
    if last is not None and now - last < URGE_INTERVAL:
        wait = max(1, int((URGE_INTERVAL - (now - last)).total_seconds()))
        raise TooSoon(f"you urged this step less than an hour ago; you may urge it again in "
                      f"{-(-wait // 60)} minutes", retry_after=wait)
    if task.assignee:
        told = [task.assignee]
    else:
        told = [p.username for p in holders_in_scope(session, task.lane_role, task)]
    record(session, case, URGE_EVENT, user, now, task=task, message=note, data={"to": told})
    store(session, case, TaskChanges(), now=now, with_state=False)
    return told
