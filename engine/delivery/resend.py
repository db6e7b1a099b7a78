"""An administrator sending a failed message again: it goes back to the outbox as new, with its
attempts reset, and the resend is an audit event like every administrator's change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.admin import record_change, require_admin
from engine.errors import Conflict, NotFound
from engine.models import FAILED, PENDING, OutboxMessage, User

#: The audit event of a resend (no case: the message is what changed).
RESENT = "delivery_resent"


def resend(session: Session, actor: User, outbox_id: int, now: datetime) -> OutboxMessage:
    """Queue failed message `outbox_id` again, due now (Conflict unless it failed); the caller commits."""
    require_admin(actor)
    query = select(OutboxMessage).where(OutboxMessage.id == outbox_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"message {outbox_id} not found")
    if row.status != FAILED:
        raise Conflict(f"message {outbox_id} is {row.status}; only a failed message is sent again")
    record_change(session, actor, RESENT, f"#{row.id}",
                  {"channel": row.channel, "kind": row.kind, "attempts": row.attempts,
                   "last_error": row.last_error}, now)
    row.status, row.attempts, row.available_at = PENDING, 0, now
    row.locked_until = row.locked_by = None
    return row
