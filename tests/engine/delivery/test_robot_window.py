"""The robots' rate windows shared through the database (`robot_send`): two transports — two worker
processes, each with its own sessions — send to one robot within one limit, on SQLite and PostgreSQL;
racing takers never get more slots together than the limit; slots not posted are given back."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from engine.delivery import RobotTransport
from engine.delivery.robot_window import SharedWindow, robot_key
from engine.models import OutboxMessage, RobotSend

from .test_robot_worker import _deliver, _queue, _rows, endpoint  # noqa: F401  (the fixture)


def test_two_workers_share_one_limit_per_robot(sessions, session, clock, endpoint):  # noqa: F811
    _queue(session, clock, endpoint, 15)
    first = RobotTransport(clock, sessions=sessions)
    second = RobotTransport(clock, sessions=sessions)  # another worker: its own transport, same database
    assert _deliver(sessions, clock, first).sent == 15
    assert len(endpoint.received) == 15
    _queue(session, clock, endpoint, 10)
    run = _deliver(sessions, clock, second)  # 5 slots left of the robot's 20 this minute
    assert len(endpoint.received) == 20 and run.failed == 0
    assert run.sent == 10  # merged into the 5 posts left, never dropped
    _queue(session, clock, endpoint, 3)
    assert _deliver(sessions, clock, first).sent == 0  # the other worker used the minute up
    assert _rows(session)[-3:] == [("pending", 0)] * 3
    clock.advance(seconds=61)
    assert _deliver(sessions, clock, first).sent == 3
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.status == "sent")) == 28


def test_a_local_window_lets_a_second_worker_post_past_the_limit(
        sessions, session, clock, endpoint):  # noqa: F811
    """What the shared window prevents: two transports counting in their own memory."""
    _queue(session, clock, endpoint, 15)
    assert _deliver(sessions, clock, RobotTransport(clock)).sent == 15
    _queue(session, clock, endpoint, 10)
    assert _deliver(sessions, clock, RobotTransport(clock)).sent == 10
    assert len(endpoint.received) == 25  # over WeCom's 20 a minute


def test_racing_takers_get_no_more_than_the_limit_together(sessions, clock):
    window, now = SharedWindow(sessions), clock()
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=race"
    start, got, errors = threading.Barrier(4), [], []

    def take() -> None:
        try:
            start.wait()
            got.append(len(window.take(url, now, 20, 8).ids))
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sorted(got) == [0, 4, 8, 8]
    with sessions() as s:
        assert s.scalar(select(func.count()).where(RobotSend.robot == robot_key(url))) == 20
    later = window.take(url, now + timedelta(seconds=61), 20, 8)
    assert len(later.ids) == 8  # the minute passed: the old sends aged out (and were deleted)
    with sessions() as s:
        assert s.scalar(select(func.count()).where(RobotSend.robot == robot_key(url))) == 8


def test_slots_not_posted_are_given_back(sessions, clock):
    window, now = SharedWindow(sessions), clock()
    url = "https://oapi.dingtalk.com/robot/send?access_token=t"
    slots = window.take(url, now, 20, 12)
    assert len(slots.ids) == 12 and slots.free_at == now + timedelta(minutes=1)
    window.give_back(url, slots.ids[5:])
    assert len(window.take(url, now, 20, 30).ids) == 15
    assert window.take(url, now + timedelta(seconds=30), 20, 1).ids == []


def test_the_key_is_a_digest_of_the_url_never_the_url():
    assert robot_key("https://x/send?key=secret") != "https://x/send?key=secret"
    assert len(robot_key("https://x/send?key=secret")) == 64
