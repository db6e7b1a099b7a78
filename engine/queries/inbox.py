"""The in-app inbox (issue 12): what a person was told, newest first, and how many they have not
read (the bell in the header)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound
from engine.models import Notification, User
from engine.views import Page

from .task_lists import MAX_PER_PAGE


@dataclass(frozen=True)
class InboxEntry:
    """One notification as its person reads it: the case (and step) as they were when it was sent,
    who caused it, and where it links (the task while there is one, else the case)."""

    id: int
    kind: str
    instance_id: int | None
    task_id: int | None
    actor: str | None
    actor_name: str | None
    title: str
    business_key: str | None
    step: str | None
    message: str
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "instance_id": self.instance_id, "task_id": self.task_id,
                "actor": self.actor, "title": self.title, "business_key": self.business_key,
                "step": self.step, "message": self.message, "created_at": self.created_at.isoformat(),
                "read_at": self.read_at.isoformat() if self.read_at else None, "unread": self.unread}


def inbox(session: Session, user: User, *, unread_only: bool = False, page: int = 1,
          per_page: int = 20) -> Page[InboxEntry]:
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidData("invalid list parameters", {"page": "must be 1 or more"} if page < 1 else
                          {"per_page": f"must be between 1 and {MAX_PER_PAGE}"})
    mine = [Notification.recipient_id == user.id] + ([Notification.read_at.is_(None)] if unread_only else [])
    total = session.scalar(select(func.count()).select_from(Notification).where(*mine)) or 0
    rows = session.execute(_ENTRIES.where(*mine).order_by(Notification.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return Page([_entry(*row) for row in rows], total, page, per_page)


def inbox_entry(session: Session, user: User, notification_id: int) -> InboxEntry:
    """One of `user`'s notifications (NotFound for anyone else's)."""
    row = session.execute(_ENTRIES.where(Notification.id == notification_id,
                                         Notification.recipient_id == user.id)).first()
    if row is None:
        raise NotFound(f"notification {notification_id} not found")
    return _entry(*row)


_ENTRIES = (select(Notification, User.username, User.display_name)
            .outerjoin(User, User.id == Notification.actor_id))


def _entry(n: Notification, username: str | None, display: str | None) -> InboxEntry:
    return InboxEntry(n.id, n.kind, n.instance_id, n.task_id, username, display or username, n.title,
                      n.business_key, n.step, n.message, n.created_at, n.read_at)


def unread_count(session: Session, user: User) -> int:
    """How many notifications `user` has not read (the bell's count)."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))) or 0
