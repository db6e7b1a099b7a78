"""The delivery worker on SQLite and PostgreSQL: sends due rows once, retries with backoff, gives up
after the last attempt, takes back rows whose worker died, and resends a failed row."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.delivery import Outcome, Policy, claim, deliver_due, resend
from engine.errors import Conflict, PermissionDenied
from engine.models import EMAIL, FAILED, PENDING, SENDING, SENT, AuditEvent, OutboxMessage

from .conftest import plain_renderer

POLICY = Policy(batch=10, max_attempts=3, backoff=timedelta(seconds=30))


def rows(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_due_rows_are_sent_once_in_order_and_marked_sent(sessions, session, clock, queue, recorder):
    ids = queue(25)
    run = deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert (run.sent, run.batches) == (25, 3)
    assert [m.outbox_id for m in recorder.sent] == ids
    assert {(r.status, r.attempts, r.sent_at) for r in rows(session)} == {(SENT, 1, clock())}
    again = deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert again.sent == 0 and len(recorder.sent) == 25


def test_a_held_row_waits_for_its_time(sessions, session, clock, queue, recorder):
    queue(1, available_at=clock() + timedelta(hours=8))
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).sent == 0
    clock.advance(hours=8)
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).sent == 1


def test_errors_back_off_exponentially_then_fail_with_the_error(sessions, session, clock, queue, recorder):
    [row_id] = queue(1)
    recorder.fail = "421 the server is busy"
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    [row] = rows(session)
    assert (row.status, row.attempts, row.available_at) == (PENDING, 1, clock() + timedelta(seconds=30))
    assert row.last_error == "421 the server is busy"
    clock.advance(seconds=29)
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).batches == 0
    clock.advance(seconds=1)
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert rows(session)[0].available_at == clock() + timedelta(seconds=60)
    clock.advance(seconds=60)
    run = deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    [row] = rows(session)
    assert (run.failed, row.status, row.attempts, row.last_error) == (1, FAILED, 3, "421 the server is busy")
    clock.advance(days=1)
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).batches == 0
    assert recorder.batches == 3 and row.id == row_id


def test_a_permanent_refusal_fails_at_once(sessions, session, clock, queue, recorder):
    queue(1)
    recorder.fail, recorder.retry = "550 no such mailbox", False
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert (rows(session)[0].status, rows(session)[0].attempts) == (FAILED, 1)


def test_a_recipient_without_an_address_fails_without_sending(sessions, session, clock, queue, recorder):
    queue(1, to="cy")
    run = deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert run.failed == 1 and recorder.batches == 0
    assert "no e-mail address" in rows(session)[0].last_error


def test_a_breaking_renderer_or_transport_is_an_error_of_its_rows(sessions, session, clock, queue, recorder):
    queue(2)

    def broken(rows):
        raise KeyError("subject")
    run = deliver_due(sessions, {EMAIL: recorder}, broken, clock, policy=POLICY)
    assert run.retried == 2 and "rendering failed" in rows(session)[0].last_error

    class Exploding:
        def send(self, messages):
            raise RuntimeError("socket gone")
    clock.advance(minutes=1)
    run = deliver_due(sessions, {EMAIL: Exploding()}, plain_renderer, clock, policy=POLICY)
    assert run.retried == 2 and rows(session)[0].last_error == "RuntimeError: socket gone"


def test_only_channels_with_a_transport_are_taken(sessions, session, clock, queue, recorder):
    queue(1)
    assert deliver_due(sessions, {"wecom": recorder}, plain_renderer, clock, policy=POLICY).batches == 0
    assert rows(session)[0].status == PENDING


def test_a_row_whose_worker_died_is_taken_again_after_its_lease(sessions, session, clock, queue, recorder):
    [row_id] = queue(1)
    with sessions() as dead:  # a worker takes the row, then dies before sending
        assert claim(dead, clock(), "dead:1", [EMAIL], POLICY) == [row_id]
    assert rows(session)[0].status == SENDING
    clock.advance(minutes=4)
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).sent == 0
    clock.advance(minutes=1)
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).sent == 1
    [row] = rows(session)
    assert (row.status, row.attempts, row.locked_by) == (SENT, 2, None)


def test_an_administrator_resends_a_failed_message(sessions, session, clock, queue, recorder, root, readers):
    [row_id] = queue(1)
    recorder.fail, recorder.retry = "550 mailbox full", False
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    with pytest.raises(PermissionDenied):
        resend(session, readers["ann"], row_id, clock())
    session.rollback()
    clock.advance(hours=1)
    resend(session, root, row_id, clock())
    session.commit()
    [row] = rows(session)
    assert (row.status, row.attempts, row.available_at) == (PENDING, 0, clock())
    event = session.scalar(select(AuditEvent).where(AuditEvent.event_type == "delivery_resent"))
    assert (event.actor_id, event.message) == (root.id, f"#{row_id}")
    assert event.data["last_error"] == "550 mailbox full"
    with pytest.raises(Conflict):
        resend(session, root, row_id, clock())
    session.rollback()
    recorder.fail = None
    assert deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY).sent == 1
    with pytest.raises(Conflict):
        resend(session, root, row_id, clock())


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_on_postgresql_send_each_message_once(sessions, session, clock, queue):
    ids = queue(300)
    seen: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    class Slow:
        def send(self, messages):
            with lock:
                seen.extend(m.outbox_id for m in messages)
            return [Outcome(m.outbox_id, True) for m in messages]

    def work(name: str) -> None:
        start.wait()
        deliver_due(sessions, {EMAIL: Slow()}, plain_renderer, clock, worker=name, policy=Policy(batch=7))
    threads = [threading.Thread(target=work, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == ids
    assert {r.status for r in rows(session)} == {SENT}


def test_a_message_waiting_for_a_retry_holds_back_only_newer_ones_to_the_same_person(
        sessions, session, clock, queue, recorder):
    [first] = queue(1, to="ann")
    recorder.fail = "451 try again later"
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    recorder.fail = None
    later_ann, later_bo = queue(1, to="ann")[0], queue(1, to="bo")[0]
    run = deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert [m.outbox_id for m in recorder.sent] == [later_bo] and run.sent == 1
    clock.advance(seconds=30)
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert [m.outbox_id for m in recorder.sent] == [later_bo, first, later_ann]


def test_a_message_held_for_quiet_hours_holds_nothing_back(sessions, session, clock, queue, recorder):
    queue(1, to="ann", available_at=clock() + timedelta(hours=9))
    [urgent] = queue(1, to="ann")
    deliver_due(sessions, {EMAIL: recorder}, plain_renderer, clock, policy=POLICY)
    assert [m.outbox_id for m in recorder.sent] == [urgent]


def test_a_message_put_off_by_the_transport_waits_without_spending_an_attempt(sessions, session, clock,
                                                                             queue):
    first, second = queue(2)

    class RateLimited:
        def send(self, messages):
            return [Outcome(messages[0].outbox_id, True)] + [
                Outcome(m.outbox_id, False, "20 messages a minute", later=timedelta(seconds=45))
                for m in messages[1:]]
    run = deliver_due(sessions, {EMAIL: RateLimited()}, plain_renderer, clock, policy=POLICY)
    assert (run.sent, run.deferred, run.retried, run.failed) == (1, 1, 0, 0)
    held = rows(session)[1]
    assert (held.id, held.status, held.attempts, held.available_at) == (second, PENDING, 0,
                                                                        clock() + timedelta(seconds=45))
    assert held.last_error is None
