"""Comments on a case: anyone who takes part in the case or oversees it may add one (a reader by role
only reads); each is also an audit event. An
`@username` in a comment tells that person (issue 12), if they may see the case."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.visibility import may_comment, may_see, visible_case
from engine.errors import InvalidData, PermissionDenied
from engine.models import AuditEvent, Comment, HumanTask, ProcessInstance, User
from engine.policy import SupervisionRules

from .notify import tell

MAX_COMMENT = 4000
#: `@username` not inside a word or an e-mail address; a sentence's full stop after it is not part of it.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})")


def add_comment(session: Session, user: User, instance_id: int, body: str, now: datetime,
                task_id: int | None = None, *, rules: SupervisionRules) -> dict[str, Any]:
    instance = visible_case(session, user, instance_id, rules=rules)
    if not may_comment(session, user, instance, rules=rules):
        raise PermissionDenied("reading a case is not taking part in it: those who take part, started it, "
                               "were cc'd on it or oversee it may comment")
    body = (body or "").strip()
    if not body:
        raise InvalidData("a comment needs text", {"body": "required"})
    if len(body) > MAX_COMMENT:
        raise InvalidData("the comment is too long", {"body": f"at most {MAX_COMMENT} characters"})
    comment = Comment(instance_id=instance.id, task_id=task_id, author_id=user.id, body=body, created_at=now)
    session.add(comment)
    session.add(AuditEvent(instance_id=instance.id, task_id=task_id, event_type="comment", actor_id=user.id,
                           at=now, message=body))
    session.flush()
    _tell_mentioned(session, user, instance, task_id, body, now, rules=rules)
    return {"id": comment.id, "author": user.username, "body": body, "created_at": now.isoformat()}


def mentioned(body: str) -> list[str]:
    """The usernames `body` mentions, in order, once each."""
    return list(dict.fromkeys(m.rstrip(".-") for m in _MENTION.findall(body)))


def _tell_mentioned(session: Session, author: User, instance: ProcessInstance, task_id: int | None, body: str,
                    now: datetime, *, rules: SupervisionRules) -> None:
    names = mentioned(body)
    if not names:
        return
    people = session.scalars(select(User).where(User.username.in_(names), User.active.is_(True),
                                                User.id != author.id).order_by(User.id))
    step = session.scalar(select(HumanTask.name).where(HumanTask.id == task_id)) if task_id else None
    tell(session, [{"recipient_id": p.id, "kind": "mentioned", "instance_id": instance.id,
                    "task_id": task_id, "actor_id": author.id, "title": instance.title[:255],
                    "business_key": instance.business_key, "step": step, "message": body,
                    "created_at": now, "read_at": None}
                   for p in people if may_see(session, p, instance, rules=rules)])
