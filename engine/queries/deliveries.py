"""The administrators' delivery log (issue 12): what the outbox sent, holds and gave up on, newest
first, with the error of each failure, so a message that never arrived can be found and resent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine.access import require_admin
from engine.errors import InvalidData
from engine.models import FAILED, PENDING, ROBOT_KINDS, SENDING, SENT, OutboxMessage, Robot, User
from engine.views import Page

from .task_lists import MAX_PER_PAGE

DELIVERY_STATUSES = (PENDING, SENDING, SENT, FAILED)
DELIVERY_CHANNELS = ("email", *ROBOT_KINDS)


@dataclass(frozen=True)
class DeliveryEntry:
    """One outbox row as the log shows it: to whom (a person and their address, or a robot), about
    what case, and how it went."""

    id: int
    channel: str
    kind: str
    status: str
    attempts: int
    recipient: str | None  # username
    recipient_name: str | None
    email: str | None
    robot: str | None
    instance_id: int | None
    title: str
    business_key: str | None
    last_error: str | None
    created_at: datetime
    available_at: datetime
    sent_at: datetime | None

    @property
    def resendable(self) -> bool:
        return self.status == FAILED

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "channel": self.channel, "kind": self.kind, "status": self.status,
                "attempts": self.attempts, "recipient": self.recipient, "email": self.email,
                "robot": self.robot, "instance_id": self.instance_id, "title": self.title,
                "business_key": self.business_key, "last_error": self.last_error,
                "created_at": self.created_at.isoformat(), "available_at": self.available_at.isoformat(),
                "sent_at": self.sent_at.isoformat() if self.sent_at else None}


def delivery_log(session: Session, actor: User, *, status: str | None = None, channel: str | None = None,
                 page: int = 1, per_page: int = 50) -> Page[DeliveryEntry]:
    require_admin(actor)
    errors = {}
    if status and status not in DELIVERY_STATUSES:
        errors["status"] = f"one of {', '.join(DELIVERY_STATUSES)}"
    if channel and channel not in DELIVERY_CHANNELS:
        errors["channel"] = f"one of {', '.join(DELIVERY_CHANNELS)}"
    if page < 1:
        errors["page"] = "must be 1 or more"
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"must be between 1 and {MAX_PER_PAGE}"
    if errors:
        raise InvalidData("invalid list parameters", errors)
    where = ([OutboxMessage.status == status] if status else []) + \
        ([OutboxMessage.channel == channel] if channel else [])
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    person = aliased(User)
    rows = session.execute(
        select(OutboxMessage, person.username, person.display_name, person.email, Robot.name)
        .outerjoin(person, person.id == OutboxMessage.recipient_id)
        .outerjoin(Robot, Robot.id == OutboxMessage.robot_id)
        .where(*where).order_by(OutboxMessage.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return Page([_entry(*row) for row in rows], total, page, per_page)


def delivery_counts(session: Session, actor: User) -> dict[str, int]:
    """Rows per status (the log's filter badges)."""
    require_admin(actor)
    found = dict(session.execute(select(OutboxMessage.status, func.count())
                                 .group_by(OutboxMessage.status)).all())
    return {s: int(found.get(s, 0)) for s in DELIVERY_STATUSES}


def _entry(m: OutboxMessage, username: str | None, display: str | None, email: str | None,
           robot: str | None) -> DeliveryEntry:
    p = m.payload or {}
    return DeliveryEntry(m.id, m.channel, m.kind, m.status, m.attempts, username, display or username, email,
                         robot, m.instance_id, str(p.get("title") or ""), p.get("business_key"), m.last_error,
                         m.created_at, m.available_at, m.sent_at)
