"""The periodic scans (issue 12): pool tasks announced to who may claim them, once a minute per
person; due soon and overdue told once per task; each reminder once however many workers scan."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import queries, runtime
from engine.models import Notification, OutboxMessage, ReminderSent, User
from engine.runtime.claims import claim


def _told(session, kind=None):
    session.expire_all()
    where = [Notification.kind == kind] if kind else []
    return [(session.get(User, n.recipient_id).username, n.kind, n.task_id, n.message)
            for n in session.scalars(select(Notification).where(*where).order_by(Notification.id))]


def _start(engine, session, people):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    session.commit()
    return case


def test_new_pool_tasks_are_announced_once_a_minute_in_one_message_per_person(engine, sessions, session,
                                                                              people, deployed, clock):
    clock.advance(seconds=10)
    first, second = _start(engine, session, people), _start(engine, session, people)
    assert runtime.announce_claimable(engine, sessions) == 0  # opened this minute: wait for the next one
    clock.advance(minutes=1)
    assert runtime.announce_claimable(engine, sessions) == 2
    assert _told(session) == [("manager_sh001", "claimable", None, "2"),
                              ("deputy_sh001", "claimable", None, "2")]
    [entry] = queries.inbox(session, people["deputy_sh001"]).items
    assert (entry.kind, entry.title, entry.step, entry.instance_id) == (
        "claimable", first.title, "门店填报", None)
    assert runtime.announce_claimable(engine, sessions) == 0  # each task once
    clock.advance(minutes=1)
    assert runtime.announce_claimable(engine, sessions) == 0
    third = _start(engine, session, people)
    clock.advance(minutes=1)
    assert runtime.announce_claimable(engine, sessions) == 2
    assert _told(session)[-1] == ("deputy_sh001", "claimable", third.open_tasks[0].id, "1")  # links to it
    assert second.id != third.id


def test_claimable_batches_carry_every_task_to_the_email(engine, sessions, session, people, deployed, clock):
    people["deputy_sh001"].email = "deputy@opsflow.example"
    session.commit()
    clock.advance(hours=1)  # 10:00 in Shanghai: no quiet hours
    cases = [_start(engine, session, people), _start(engine, session, people)]
    clock.advance(minutes=1)
    runtime.announce_claimable(engine, sessions)
    [mail] = session.scalars(select(OutboxMessage)).all()
    assert (mail.kind, mail.recipient_id) == ("claimable", people["deputy_sh001"].id)
    assert [i["instance_id"] for i in mail.payload["items"]] == [c.id for c in cases]
    assert mail.payload["items"][0]["due_at"] == cases[0].open_tasks[0].due_at.isoformat()


def test_old_and_claimed_tasks_are_not_announced(engine, sessions, session, people, deployed, clock):
    case = _start(engine, session, people)
    engine.claim(session, case.open_tasks[0].id, people["manager_sh001"])
    session.commit()
    _start(engine, session, people)
    clock.advance(days=2)
    assert runtime.announce_claimable(engine, sessions) == 0


def test_due_soon_then_overdue_each_told_once_to_the_holder_or_the_pool(engine, sessions, session, people,
                                                                        deployed, clock):
    pooled = _start(engine, session, people)  # due in 24 h, in SH001's pool
    held = _start(engine, session, people)
    engine.claim(session, held.open_tasks[0].id, people["deputy_sh001"])
    session.commit()
    assert runtime.remind_due(engine, sessions) == 0
    clock.advance(hours=20, minutes=1)
    assert runtime.remind_due(engine, sessions) == 3
    assert sorted(_told(session, "due_soon")) == sorted([
        ("manager_sh001", "due_soon", pooled.open_tasks[0].id, ""),
        ("deputy_sh001", "due_soon", pooled.open_tasks[0].id, ""),
        ("deputy_sh001", "due_soon", held.open_tasks[0].id, "")])
    assert runtime.remind_due(engine, sessions) == 0
    clock.advance(hours=4)
    assert runtime.remind_due(engine, sessions) == 3
    assert len(_told(session, "overdue")) == 3
    clock.advance(hours=4)
    assert runtime.remind_due(engine, sessions) == 0


def test_a_task_first_seen_overdue_is_told_only_that_and_done_tasks_not_at_all(engine, sessions, session,
                                                                                people, deployed, clock):
    case = _start(engine, session, people)
    done = _start(engine, session, people)
    engine.complete(session, done.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.commit()
    clock.advance(hours=25)
    runtime.remind_due(engine, sessions)
    assert {(n[1], n[2]) for n in _told(session) if n[1] in ("due_soon", "overdue")} == {
        ("overdue", case.open_tasks[0].id)}


def test_tasks_long_overdue_when_first_seen_are_left_to_the_digest(engine, sessions, session, people,
                                                                     deployed, clock):
    _start(engine, session, people)
    clock.advance(days=3)
    assert runtime.remind_due(engine, sessions) == 0


def test_overdue_email_is_urgent_and_leaves_in_quiet_hours(engine, sessions, session, people, deployed,
                                                           clock):
    people["deputy_sh001"].email = "deputy@opsflow.example"
    session.commit()
    clock.advance(hours=13)  # 22:00 in Shanghai
    case = _start(engine, session, people)
    engine.claim(session, case.open_tasks[0].id, people["deputy_sh001"])
    session.commit()
    clock.advance(hours=20)  # 18:00 next day: due soon, not quiet
    clock.advance(hours=5)  # 23:00: overdue, quiet
    runtime.remind_due(engine, sessions)
    [overdue] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "overdue")).all()
    assert overdue.available_at == clock()


def test_a_reminder_claimed_by_one_worker_is_not_told_by_another(sessions, session, clock, db_url):
    one, two = sessions(), sessions()
    try:
        assert claim(one, ["due_soon:1", "overdue:1"], clock()) == {"due_soon:1", "overdue:1"}
        got: list[set[str]] = []
        thread = threading.Thread(target=lambda: got.append(claim(two, ["overdue:1", "overdue:2"], clock())))
        thread.start()  # on PostgreSQL it waits on one's insert; on SQLite on its write lock
        thread.join(0.2)
        one.commit()
        thread.join(10)
        two.commit()
        assert got == [{"overdue:2"}]
    finally:
        one.close()
        two.close()
    assert sorted(session.scalars(select(ReminderSent.key))) == ["due_soon:1", "overdue:1", "overdue:2"]


def test_two_workers_scanning_at_once_tell_each_reminder_once(engine, sessions, session, people, deployed,
                                                              clock, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL")
    for _ in range(3):
        _start(engine, session, people)
    clock.advance(hours=25)
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            runtime.run_reminders(engine, sessions, clock(), due_soon=timedelta(hours=4))
        except BaseException as exc:  # reported by the test
            errors.append(exc)
    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(_told(session, "overdue")) == 6  # 3 tasks × 2 managers, once each


def test_the_deputy_of_an_away_claimer_hears_of_new_pool_tasks_too(engine, sessions, session, people,
                                                                    deployed, clock):
    from engine.directory import set_away
    d1 = people["deputy_sh001"]
    set_away(session, d1, d1.id, deputy="manager_sh002", starts_at=clock(),
             ends_at=clock() + timedelta(days=3), now=clock())
    session.commit()
    clock.advance(seconds=10)
    _start(engine, session, people)
    clock.advance(minutes=1)
    assert runtime.announce_claimable(engine, sessions) == 3  # people told
    assert {name for name, *_ in _told(session, "claimable")} == {"manager_sh001", "deputy_sh001",
                                                                   "manager_sh002"}


def test_an_overdue_step_is_told_to_its_store_s_group_robot_once(engine, sessions, session, people,
                                                                  deployed, clock):
    from engine.models import Robot
    robot = Robot(name="SH001 群", kind="wecom", scope="store", scope_value="SH001", url="http://x/sh001",
                  secret=None, events=["task_overdue"], active=True, created_at=clock())
    session.add(robot)
    session.commit()
    case = _start(engine, session, people)
    clock.advance(hours=24, minutes=1)
    runtime.remind_due(engine, sessions)
    runtime.remind_due(engine, sessions)
    session.expire_all()
    heard = [(m.kind, m.payload.get("task_id")) for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.robot_id == robot.id))]
    assert heard == [("task_overdue", case.open_tasks[0].id)]
