"""What a command's events write, in one round trip: the audit rows, the inbox entries they call for
and the messages to send (e-mail, robots).

Written one statement each, these were three round trips at the end of nearly every complete, each
with its own statement handling in SQLAlchemy and psycopg and its own protocol exchange in
PostgreSQL's backend. None of the three refers to another's new rows, so on PostgreSQL they go as one
statement (`row_batches.insert_together`); SQLite takes an insert per table.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.delivery import OUTBOX_COLUMNS
from engine.models import OutboxMessage

from .audit import AUDIT_ROWS, take_pending_events
from .case_rows import CaseRow
from .notify import NOTIFICATION_ROWS, notifications_for
from .robot_events import tell_robots
from .row_batches import BatchInsert, insert_together

OUTBOX_ROWS = BatchInsert(OutboxMessage.__table__, OUTBOX_COLUMNS)


def write_events(session: Session, case: CaseRow | None) -> None:
    """Write the events the command collected and everything they tell."""
    events, event_rows = take_pending_events(session)
    if not events:
        return
    outbox: list[dict[str, Any]] = []
    inbox = notifications_for(session, case, events, outbox)
    tell_robots(session, case, events, outbox)
    insert_together(session.connection(), [
        (AUDIT_ROWS, event_rows), (NOTIFICATION_ROWS, inbox),
        (OUTBOX_ROWS, [tuple(row[c] for c in OUTBOX_COLUMNS) for row in outbox])])
