"""The daily to-do digest (once per person per local day, at the set local time) and @mentions in
comments (told only to people who may see the case)."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine import InvalidData, runtime
from engine.models import Notification, OutboxMessage, User

UTC = timezone.utc


def _told(session, kind):
    session.expire_all()
    return [(session.get(User, n.recipient_id).username, n.message) for n in session.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id))]


def _start(engine, session, people, store="SH001", starter="manager_sh001"):
    case = engine.start(session, "lanes_gateway", people[starter], {"store_code": store, "amount": 120})
    session.commit()
    return case


def test_the_digest_lists_open_and_overdue_tasks_once_a_day_at_local_nine(engine, sessions, session, people,
                                                                           deployed, clock):
    clock.set(datetime(2026, 11, 1, 10, 0, tzinfo=UTC))  # 18:00 in Shanghai, the day before
    late = _start(engine, session, people)
    engine.claim(session, late.open_tasks[0].id, people["deputy_sh001"])
    session.commit()
    clock.set(datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    pooled = _start(engine, session, people)  # due at 12:00 UTC tomorrow
    people["deputy_sh001"].email = "deputy@opsflow.example"
    people["cs_li"].timezone = "Europe/London"
    session.commit()
    clock.set(datetime(2026, 11, 2, 0, 59, tzinfo=UTC))  # 08:59 in Shanghai
    assert runtime.send_digests(engine, sessions, at="09:00") == 0
    clock.set(datetime(2026, 11, 2, 11, 0, tzinfo=UTC))  # 19:00: past due (24 h), and past nine
    assert runtime.send_digests(engine, sessions, at="09:00") == 2
    assert _told(session, "digest") == [("manager_sh001", "1/0"), ("deputy_sh001", "2/1")]
    [mail] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
    assert (mail.payload["open"], mail.payload["overdue"]) == (2, 1)
    assert [(i["task_id"], i["overdue"]) for i in mail.payload["items"]] == [
        (late.open_tasks[0].id, True), (pooled.open_tasks[0].id, False)]
    assert runtime.send_digests(engine, sessions, at="09:00") == 0  # once a day
    clock.set(datetime(2026, 11, 3, 1, 0, tzinfo=UTC))  # the next morning, 09:00
    assert runtime.send_digests(engine, sessions, at="09:00") == 2


def test_a_digest_time_must_be_a_time():
    with pytest.raises(InvalidData):
        runtime.digest_time("nine")
    assert runtime.digest_time("07:30").hour == 7


def test_mentions_tell_who_may_see_the_case_and_not_the_author(engine, session, people, deployed,
                                                               supervision):
    case = _start(engine, session, people)
    runtime.add_comment(session, people["manager_sh001"], case.id,
                        "@deputy_sh001 please check, cc @supervisor_east and @manager_sh002. "
                        "Me: @manager_sh001, mail a@deputy_sh001 and @nobody", engine.clock(),
                        rules=supervision)
    session.commit()
    assert [n for n, _ in _told(session, "mentioned")] == ["deputy_sh001", "supervisor_east"]
    [entry] = session.scalars(select(Notification).where(
        Notification.kind == "mentioned", Notification.recipient_id == people["deputy_sh001"].id))
    assert (entry.instance_id, entry.actor_id, entry.title) == (
        case.id, people["manager_sh001"].id, case.title)
    assert entry.message.startswith("@deputy_sh001 please check")


def test_mentioned_usernames():
    assert runtime.mentioned("@a.b, @c-d. @a.b x@e (@f_1)") == ["a.b", "c-d", "f_1"]


def test_a_rolled_back_comment_tells_nobody(engine, session, people, deployed, supervision):
    case = _start(engine, session, people)
    runtime.add_comment(session, people["manager_sh001"], case.id, "@deputy_sh001 look", engine.clock(),
                        rules=supervision)
    session.rollback()
    assert _told(session, "mentioned") == []
    assert session.scalars(select(OutboxMessage)).all() == []
