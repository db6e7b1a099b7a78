"""Rows kept only for a while, purged by the background runner: the API's Idempotency-Key answers
(replayed for a day by default, then of no use) — so the table holds a day of writes, not all of them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.models import IdempotencyRecord

#: Rows deleted per statement: a large backlog is purged in short transactions, not one long one.
PURGE_BATCH = 1000


def purge_idempotency_records(session: Session, before: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete the Idempotency-Key records created before `before` (answers no longer replayed, claims
    whose request died long ago), committing after each batch; how many went."""
    purged = 0
    while True:
        ids = list(session.scalars(select(IdempotencyRecord.id).where(IdempotencyRecord.created_at < before)
                                   .order_by(IdempotencyRecord.created_at).limit(batch)))
        if not ids:
            return purged
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(ids)))
        session.commit()
        purged += len(ids)
