"""Delivery fixtures: people with addresses, a renderer without templates, a transport that records."""
from __future__ import annotations

from typing import Any, Sequence

import pytest

from engine.delivery import Outcome, Rendered, enqueue, outbox_row
from engine.directory.accounts import insert_user_unchecked
from engine.models import EMAIL


def plain_renderer(rows: Sequence[dict[str, Any]]) -> list[Rendered]:
    """Subject = the case title, text = the row id: enough to see what went out and in what order."""
    return [Rendered(r["id"], r["channel"], r["email"] or r["url"] or "", subject=r["payload"]["title"],
                     text=f"message {r['id']} for {r['recipient']}\n") for r in rows]


class Recorder:
    """A transport that keeps what it was given, failing while `fail` is set (as `retry` says)."""

    def __init__(self) -> None:
        self.sent: list[Rendered] = []
        self.batches = 0
        self.fail: str | None = None
        self.retry = True

    def send(self, messages: Sequence[Rendered]) -> list[Outcome]:
        self.batches += 1
        if self.fail:
            return [Outcome(m.outbox_id, False, self.fail, self.retry) for m in messages]
        self.sent.extend(messages)
        return [Outcome(m.outbox_id, True) for m in messages]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def readers(session, clock):
    """Two people with addresses and one without."""
    now = clock()
    made = {name: insert_user_unchecked(session, name, None, password_hash="!", now=now, email=email)
            for name, email in (("ann", "ann@opsflow.example"), ("bo", "bo@opsflow.example"), ("cy", None))}
    session.commit()
    return made


@pytest.fixture
def queue(session, clock, readers):
    """`queue(n, to="ann")`: enqueue n e-mails (titles "case 0".."case n-1") and commit; their ids."""
    def add(n: int, to: str = "ann", **extra: Any) -> list[int]:
        rows = [outbox_row(EMAIL, "assigned", {"title": f"case {i}", "business_key": f"K-{i}"}, clock(),
                           recipient_id=readers[to].id, **extra) for i in range(n)]
        enqueue(session, rows)
        session.commit()
        from sqlalchemy import select

        from engine.models import OutboxMessage
        return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))[-n:]
    return add
