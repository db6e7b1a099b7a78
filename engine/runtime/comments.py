"""Comments on a case: anyone who may see the case may add one; each is also an audit event."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.access.visibility import visible_case
from engine.errors import InvalidData
from engine.models import AuditEvent, Comment, User
from engine.policy import SupervisionRules

MAX_COMMENT = 4000


def add_comment(session: Session, user: User, instance_id: int, body: str, now: datetime,
                task_id: int | None = None, *, rules: SupervisionRules) -> dict[str, Any]:
    instance = visible_case(session, user, instance_id, rules=rules)
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
    return {"id": comment.id, "author": user.username, "body": body, "created_at": now.isoformat()}
