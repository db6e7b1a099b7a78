"""Marking the in-app inbox read: one entry (its person opened it, or said so) or all of them.

Only a person's own entries: another's is NotFound, as if it did not exist."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import Notification, User

_table = Notification.__table__


def mark_read(session: Session, user: User, notification_id: int, now: datetime) -> Notification:
    """Mark one of `user`'s notifications read (once: the first time stays); returns it."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient_id != user.id:
        raise NotFound(f"notification {notification_id} not found")
    if row.read_at is None:
        row.read_at = now
    return row


def mark_all_read(session: Session, user: User, now: datetime) -> int:
    """Mark every unread notification of `user` read; how many were unread."""
    result = session.execute(update(_table).where(_table.c.recipient_id == user.id,
                                                  _table.c.read_at.is_(None)).values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
