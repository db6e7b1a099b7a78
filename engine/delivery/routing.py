"""Which channels a notification leaves by, decided when it is written (in the command's
transaction). Today: e-mail to every recipient with an address; preferences, quiet hours and robots
refine this (issue 12)."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import EMAIL, User

from .outbox import enqueue, outbox_row

#: The facts of a notification row an outbox payload carries.
_FACTS = ("kind", "instance_id", "task_id", "actor_id", "title", "business_key", "step", "message")


def route_notifications(session: Session, notifications: Sequence[dict[str, Any]]) -> int:
    """Queue the messages `notifications` (rows as `notify` inserts them) call for; the count queued."""
    people = sorted({n["recipient_id"] for n in notifications})
    if not people:
        return 0
    addresses = dict(session.execute(select(User.id, User.email).where(
        User.id.in_(people), User.active.is_(True), User.email.is_not(None), User.email != "")).all())
    rows = [outbox_row(EMAIL, n["kind"], {k: n.get(k) for k in _FACTS}, n["created_at"],
                       recipient_id=n["recipient_id"], instance_id=n.get("instance_id"))
            for n in notifications if n["recipient_id"] in addresses]
    return enqueue(session, rows)
