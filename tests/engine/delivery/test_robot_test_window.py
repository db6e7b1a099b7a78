"""The admin's test message counts in the robot's shared rate window (issue 15), on SQLite and
PostgreSQL, against a real local robot: it takes a slot the deliveries then do not have, and within a
full window it is refused (`TooSoon`, with the seconds until a slot frees) without a post; the robot's
own "too many" answer is refused the same way."""
from __future__ import annotations

import pytest

from engine.delivery import RobotTransport, send_test_message
from engine.errors import TooSoon
from engine.models import Robot

from .test_robot_worker import _deliver, _queue, _rows, endpoint  # noqa: F401  (the fixture)


def _test(session, root, robot_id, transport, clock):
    return send_test_message(session, root, robot_id, transport, title="测试", lines=["来自后台"],
                             link_url=None, link_text="打开", now=clock())


def test_the_test_message_shares_the_deliveries_window(sessions, session, root, clock, endpoint):  # noqa: F811
    robot_id = _queue(session, clock, endpoint, 19, kind="dingtalk")
    assert _deliver(sessions, clock, RobotTransport(clock, sessions=sessions)).sent == 19
    admin_side = RobotTransport(clock, sessions=sessions)  # the web process: its own transport
    assert _test(session, root, robot_id, admin_side, clock).ok  # the minute's 20th message
    assert len(endpoint.received) == 20
    clock.advance(seconds=20)
    with pytest.raises(TooSoon) as refused:
        _test(session, root, robot_id, admin_side, clock)
    assert refused.value.retry_after == 40  # the first delivery of the window ages out then
    assert len(endpoint.received) == 20  # refused before posting: DingTalk never saw a 21st
    _queue(session, clock, endpoint, 1)
    assert _deliver(sessions, clock, RobotTransport(clock, sessions=sessions)).sent == 0
    assert _rows(session)[-1] == ("pending", 0)  # the delivery waits too: one window for both
    clock.advance(seconds=41)
    assert _test(session, root, robot_id, admin_side, clock).ok
    assert len(endpoint.received) == 21


def test_a_test_message_takes_a_slot_from_the_deliveries(sessions, session, root, clock, endpoint):  # noqa: F811
    robot = Robot(name="店群", kind="dingtalk", scope="store", scope_value="SH001", url=endpoint.url(),
                  secret="s", events=["task_created"], active=True, created_at=clock())
    session.add(robot)
    session.commit()
    for _ in range(3):
        assert _test(session, root, robot.id, RobotTransport(clock, sessions=sessions), clock).ok
    _queue(session, clock, endpoint, 17)
    assert _deliver(sessions, clock, RobotTransport(clock, sessions=sessions)).sent == 17
    assert len(endpoint.received) == 20
    _queue(session, clock, endpoint, 1)
    assert _deliver(sessions, clock, RobotTransport(clock, sessions=sessions)).sent == 0
    assert _rows(session)[-1] == ("pending", 0)  # the three tests took three of the minute's 20


def test_the_robots_own_too_many_answer_is_refused_too(session, root, clock, endpoint):  # noqa: F811
    robot_id = _queue(session, clock, endpoint, 0, kind="dingtalk")
    endpoint.replies.append((200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}))
    with pytest.raises(TooSoon) as refused:
        _test(session, root, robot_id, RobotTransport(clock), clock)
    assert refused.value.retry_after == 60 and "130101" in refused.value.message
