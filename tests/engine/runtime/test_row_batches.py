"""Rows inserted as one JSON document on PostgreSQL: stored as SQLAlchemy's own insert stores them (the
same values; a JSON column's text is orjson's, compact), in one statement text for any number of rows,
which PostgreSQL then keeps prepared."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DataError

from engine.models import AuditEvent
from engine.runtime.row_batches import BatchInsert

pytestmark = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)

COLUMNS = ("instance_id", "task_id", "event_type", "element_id", "actor_id", "at", "message", "data",
           "request_id")
EVENTS = AuditEvent.__table__
SHANGHAI = timezone(timedelta(hours=8))


def stored(session) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(
        "SELECT instance_id, task_id, event_type, element_id, actor_id, at, message, data::jsonb::text, "
        "data IS NULL, request_id FROM audit_event ORDER BY id"))]


def test_rows_read_back_as_sqlalchemys_own_insert_writes_them(session):
    rows = [
        (None, None, "comment", "investigate_store", None, datetime(2026, 12, 4, 9, 30, tzinfo=SHANGHAI),
         "店长已致电客户", {"amount": 120.5, "items": ["衬衫", None], "nested": {"ok": True}}, "req-1"),
        (None, None, "step", None, None, datetime(2026, 12, 4, 1, 30, tzinfo=timezone.utc), "", None, None),
    ]
    for row in rows:
        session.execute(EVENTS.insert(), [dict(zip(COLUMNS, row))])
    by_sqlalchemy = stored(session)
    session.execute(EVENTS.delete())

    BatchInsert(EVENTS, COLUMNS).execute(session.connection(), rows)

    assert stored(session) == by_sqlalchemy
    assert [r[5] for r in by_sqlalchemy] == [datetime(2026, 12, 4, 1, 30)] * 2  # naive UTC, as UTCDateTime
    assert by_sqlalchemy[1][7:9] == ("null", False)  # None is JSON null there, and here too
    assert session.scalars(select(AuditEvent.message).order_by(AuditEvent.id)).all() == ["店长已致电客户", ""]


def test_one_statement_text_for_any_count_which_postgresql_keeps_prepared(session):
    insert, sent = BatchInsert(EVENTS, COLUMNS), []
    connection = session.connection()
    event.listen(connection, "before_cursor_execute", lambda *args: sent.append(args[2]))
    at = datetime(2026, 12, 4, 1, 30, tzinfo=timezone.utc)
    for count in (1, 2, 3, 5, 8, 12, 1):
        insert.execute(connection, [(None, None, "step", f"e{n}", None, at, "", {"n": n}, None)
                                    for n in range(count)])
    insert.execute(connection, [])

    assert len(sent) == 7 and len(set(sent)) == 1
    assert session.scalar(text("SELECT count(*) FROM audit_event")) == 32
    assert session.scalars(text("SELECT element_id FROM audit_event ORDER BY id")).all()[-13:-1] == [
        f"e{n}" for n in range(12)]  # in the order given
    prepared = session.scalar(text("SELECT count(*) FROM pg_prepared_statements "
                                   "WHERE statement LIKE 'INSERT INTO audit_event%json_to_recordset%'"))
    assert prepared == 1


def test_a_value_too_long_for_its_column_is_refused_as_sqlalchemys_insert_refuses_it(session):
    """A VARCHAR(n) column takes the text whole or not at all: nothing is cut to fit (an array cast to
    `varchar(n)[]` cut it silently)."""
    at = datetime(2026, 12, 4, 1, 30, tzinfo=timezone.utc)
    too_long = "x" * (EVENTS.c.event_type.type.length + 1)
    with pytest.raises(DataError, match="too long"):
        with session.begin_nested():
            BatchInsert(EVENTS, COLUMNS).execute(session.connection(),
                                                 [(None, None, too_long, None, None, at, "", None, None)])
    assert session.scalar(text("SELECT count(*) FROM audit_event")) == 0
