"""What the employee's work list needs beyond its task list: a cheap fingerprint of the list for
live refresh, the cases a person started or worked on and their outcomes, a case's comments, and
people's display names. Claiming several tasks at once is `runtime.bulk.claim_many`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.access import acting_grants
from engine.access.grants import actionable_filter, grants_of
from engine.models import ENDED, Comment, HumanTask, ProcessInstance, User
from engine.views import CaseView, case_view


def worklist_stamp(session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    """The counts (mine, claimable, both: 待办) and a fingerprint that changes whenever a list changes;
    given `now`, the pool includes that of whoever I stand in for (代理).

    Polled every few seconds by open task lists: two indexed aggregate queries, no rows loaded.
    """
    def numbers(condition: Any) -> tuple[int, int]:
        query = select(func.count(HumanTask.id), func.coalesce(func.sum(HumanTask.id), 0)).where(condition)
        count, total = session.execute(query).one()
        return int(count or 0), int(total or 0)

    mine = numbers(and_(HumanTask.state == "open", HumanTask.assignee_id == user.id))
    claimable = numbers(and_(HumanTask.state == "open", HumanTask.assignee_id.is_(None),
                             actionable_filter(grants_of(user) if now is None
                                               else acting_grants(session, user, now))))
    return {"mine": mine[0], "claimable": claimable[0], "todo": mine[0] + claimable[0],
            "stamp": f"{mine[0]}.{mine[1]}-{claimable[0]}.{claimable[1]}"}


def my_cases(session: Session, user: User, *, running: bool | None = None,
             limit: int = 30) -> list[CaseView]:
    """Cases `user` started or completed a step of, most recently changed first."""
    worked = select(HumanTask.instance_id).where(HumanTask.completed_by_id == user.id)
    query = select(ProcessInstance).where(or_(ProcessInstance.started_by_id == user.id,
                                              ProcessInstance.id.in_(worked)))
    if running is True:
        query = query.where(ProcessInstance.status.in_(("running", "suspended", "error")))
    elif running is False:
        query = query.where(ProcessInstance.status.in_(ENDED))
    rows = session.scalars(query.order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
                           .limit(limit)).all()
    return [case_view(session, i) for i in rows]


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str
    author_name: str
    body: str
    created_at: Any
    task_id: int | None = None


def case_comments(session: Session, instance_id: int) -> list[CommentView]:
    """The comments on one case, oldest first; the caller has checked that the case may be seen."""
    rows = session.execute(select(Comment, User).join(User, User.id == Comment.author_id)
                           .where(Comment.instance_id == instance_id).order_by(Comment.id)).all()
    return [CommentView(id=c.id, author=u.username, author_name=u.display_name or u.username, body=c.body,
                        created_at=c.created_at, task_id=c.task_id) for c, u in rows]


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Username → the name people know each other by, for histories and headers."""
    names = sorted({u for u in usernames if u})
    if not names:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(names))).all()
    return {u: d or u for u, d in rows}


def recent_outcomes(session: Session, user: User, limit: int = 20) -> list[CaseView]:
    """Cases I started or worked on that have ended, newest first: where requesters hear the result."""
    worked = select(HumanTask.instance_id).where(HumanTask.completed_by_id == user.id)
    rows = session.scalars(select(ProcessInstance).where(
        or_(ProcessInstance.started_by_id == user.id, ProcessInstance.id.in_(worked)),
        ProcessInstance.outcome.is_not(None)).order_by(ProcessInstance.updated_at.desc()).limit(limit)).all()
    return [case_view(session, i) for i in rows]
