"""A command's events, the inbox entries and the messages they call for go in one round trip: one
statement on PostgreSQL (data-modifying WITH parts), an insert per table on SQLite. Stored as
SQLAlchemy's own inserts store them, all or nothing."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError

from engine.delivery import OUTBOX_COLUMNS, outbox_row
from engine.models import AuditEvent, Notification, OutboxMessage
from engine.runtime.audit import AUDIT_ROWS
from engine.runtime.event_writes import OUTBOX_ROWS
from engine.runtime.notify import NOTIFICATION_ROWS
from engine.runtime.row_batches import insert_together

AT = datetime(2026, 12, 4, 1, 30, tzinfo=timezone.utc)
TABLES = (AuditEvent.__table__, Notification.__table__, OutboxMessage.__table__)


def rows_for(people) -> dict[str, list[tuple]]:
    cs_li, director = people["cs_li"].id, people["director"].id
    mail = outbox_row("email", "assigned", {"title": "顾客投诉 · 试衣等候", "due_at": None}, AT,
                      recipient_id=director)
    return {
        "events": [(None, None, "task_completed", "investigate_store", cs_li, AT, "门店调查", {"a": 1},
                    "req-7"),
                   (None, None, "step", "end", None, AT, "", None, "req-7")],
        "inbox": [(director, "assigned", None, None, cs_li, "顾客投诉 · 试衣等候", "CP-1", "总监审批", "", AT,
                   None)],
        "outbox": [tuple(mail[c] for c in OUTBOX_COLUMNS)],
    }


def stored(session) -> dict[str, list[tuple]]:
    return {
        "events": [tuple(r) for r in session.execute(text(
            "SELECT event_type, element_id, actor_id, at, message, data, request_id FROM audit_event "
            "ORDER BY id"))],
        "inbox": [tuple(r) for r in session.execute(text(
            "SELECT recipient_id, kind, actor_id, title, business_key, step, created_at, read_at "
            "FROM notification ORDER BY id"))],
        "outbox": [tuple(r) for r in session.execute(text(
            "SELECT channel, kind, recipient_id, payload, status, attempts, available_at, created_at "
            "FROM outbox_message ORDER BY id"))],
    }


def _normal(found: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """JSON columns as values (SQLite hands back text, PostgreSQL's json the parsed value)."""
    def value(v: Any) -> Any:
        return json.loads(v) if isinstance(v, str) and v[:1] in ("{", "[") else v
    return {k: [tuple(value(v) for v in row) for row in rows] for k, rows in found.items()}


def test_three_tables_in_one_round_trip_stored_as_sqlalchemy_stores_them(session, people, statement_log):
    rows = rows_for(people)
    for table, key, columns in ((TABLES[0], "events", AUDIT_ROWS.columns),
                                (TABLES[1], "inbox", NOTIFICATION_ROWS.columns),
                                (TABLES[2], "outbox", OUTBOX_ROWS.columns)):
        session.execute(table.insert(), [dict(zip(columns, row)) for row in rows[key]])
    by_sqlalchemy = _normal(stored(session))
    for table in TABLES:
        session.execute(table.delete())

    sent = statement_log(session)
    insert_together(session.connection(), [(AUDIT_ROWS, rows["events"]), (NOTIFICATION_ROWS, rows["inbox"]),
                                           (OUTBOX_ROWS, rows["outbox"])])
    sent.close()

    assert _normal(stored(session)) == by_sqlalchemy
    assert len(by_sqlalchemy["events"]) == 2 and by_sqlalchemy["inbox"][0][3] == "顾客投诉 · 试衣等候"
    assert len(sent.statements) == (1 if session.bind.dialect.name == "postgresql" else 3)


def test_empty_parts_are_left_out_and_no_rows_send_nothing(session, people, statement_log):
    rows = rows_for(people)
    sent = statement_log(session)
    insert_together(session.connection(), [(AUDIT_ROWS, []), (NOTIFICATION_ROWS, []), (OUTBOX_ROWS, [])])
    assert sent.statements == []
    insert_together(session.connection(), [(AUDIT_ROWS, rows["events"]), (NOTIFICATION_ROWS, []),
                                           (OUTBOX_ROWS, rows["outbox"])])
    sent.close()
    assert all("INTO notification" not in s for s in sent.statements)
    found = stored(session)
    assert (len(found["events"]), len(found["inbox"]), len(found["outbox"])) == (2, 0, 1)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_one_refused_row_stores_nothing_of_the_statement(session, people):
    rows = rows_for(people)
    too_long = "x" * (Notification.__table__.c.kind.type.length + 1)
    bad_inbox = [(rows["inbox"][0][0], too_long, *rows["inbox"][0][2:])]
    parts = [(AUDIT_ROWS, rows["events"]), (NOTIFICATION_ROWS, bad_inbox), (OUTBOX_ROWS, rows["outbox"])]
    with pytest.raises(DataError, match="too long"):
        with session.begin_nested():
            insert_together(session.connection(), parts)
    assert stored(session) == {"events": [], "inbox": [], "outbox": []}
