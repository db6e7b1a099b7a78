"""Writing to the outbox: inside the command's transaction, never sending. What a message says is
decided when it leaves (see `channels.Rendered`), so only facts are stored here."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy.orm import Session

from engine.models import PENDING, OutboxMessage

_INSERT = OutboxMessage.__table__.insert()
#: The kind of a model's own e-mail (a service task's `mail` connector): its subject and body are
#: stored as the model wrote them and sent as they are.
MODEL_MAIL = "model_mail"


def outbox_row(channel: str, kind: str, payload: dict[str, Any], now: datetime, *,
               recipient_id: int | None = None, robot_id: int | None = None,
               instance_id: int | None = None, available_at: datetime | None = None) -> dict[str, Any]:
    """One outbox row as `enqueue` takes it; `available_at` holds it back (quiet hours)."""
    return {"channel": channel, "kind": kind, "recipient_id": recipient_id, "robot_id": robot_id,
            "instance_id": instance_id, "payload": payload, "status": PENDING, "attempts": 0,
            "available_at": available_at or now, "locked_until": None, "locked_by": None,
            "last_error": None, "created_at": now, "sent_at": None}


#: An outbox row's columns, in `outbox_row`'s order.
OUTBOX_COLUMNS = ("channel", "kind", "recipient_id", "robot_id", "instance_id", "payload", "status",
                  "attempts", "available_at", "locked_until", "locked_by", "last_error", "created_at",
                  "sent_at")


def enqueue(session: Session, rows: Iterable[dict[str, Any]],
            into: list[dict[str, Any]] | None = None) -> int:
    """Insert `rows` (from `outbox_row`) in the session's transaction, in one statement; or add them to
    `into`, for a caller that writes them with its other rows (a command's store)."""
    batch = list(rows)
    if into is not None:
        into.extend(batch)
    elif batch:
        session.connection().execute(_INSERT, batch)
    return len(batch)
