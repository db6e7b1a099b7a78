"""The admin's "send a test message" (page and API) counts in the robot's shared rate window
(issue 15), on SQLite and PostgreSQL, against a real local robot: after a minute of 20 deliveries to a
DingTalk group the test is refused with a translated reason (the page) or 429 with Retry-After (the
API) and the robot gets no 21st message; a minute later it goes out."""
from __future__ import annotations

import pytest

from engine import delivery
from engine.delivery import RobotTransport, robot_event, route_robot_events
from engine.models import ROBOT_KINDS
from tests.robot_endpoint import start_endpoint, stop_endpoint
from webapp.background import sessions_of
from webapp.extensions import db
from webapp.notices import make_renderer

from .test_admin_robots import ROBOT, csrf_token, post, robots


@pytest.fixture
def endpoint():
    server = start_endpoint()
    yield server
    stop_endpoint(server)


def _deliver_a_full_minute(app, clock) -> None:
    """Twenty new-task notices to SH001's group, sent by a delivery worker with its own transport."""
    with app.app_context():
        events = [robot_event("task_created", clock(), store_code="SH001", region="EAST", title=f"投诉{i}",
                              step="店长处理") for i in range(20)]
        route_robot_events(db.session, events)
        db.session.commit()
    sessions = sessions_of(app)
    worker = RobotTransport(clock, sessions=sessions)
    run = delivery.deliver_due(sessions, {kind: worker for kind in ROBOT_KINDS}, make_renderer(app), clock,
                               worker="w1")
    assert run.sent == 20


def _flashes(client, robot_id: int) -> str:
    return client.get(f"/admin/robots/{robot_id}").get_data(as_text=True)


def test_the_admin_test_message_waits_for_the_deliveries_window(any_app, app_clock, endpoint):
    client = any_app.test_client()
    client.post("/login", data={"username": "admin", "password": "demo123",
                                "csrf_token": csrf_token(client, "/login")})
    client.post("/account/language", data={"locale": "en", "csrf_token": csrf_token(client, "/account")})
    post(client, "/admin/robots/new", {**ROBOT, "url": endpoint.url("/robot/send?access_token=t")})
    [robot] = robots(any_app)
    _deliver_a_full_minute(any_app, app_clock)
    assert len(endpoint.received) == 20
    app_clock.advance(seconds=15)
    answer = post(client, f"/admin/robots/{robot.id}/test", {}, f"/admin/robots/{robot.id}")
    assert answer.status_code == 303
    page = _flashes(client, robot.id)
    assert ("The test message was not sent: 南京路店群 has had the 20 messages a minute DingTalk takes "
            "(notifications count too). Try again in 45 seconds.") in page
    assert len(endpoint.received) == 20  # DingTalk would block the robot for ten minutes at a 21st

    client.post("/account/language", data={"locale": "zh_CN", "csrf_token": csrf_token(client, "/account")})
    post(client, f"/admin/robots/{robot.id}/test", {}, f"/admin/robots/{robot.id}")
    assert "测试消息没有发出" in _flashes(client, robot.id)

    login = client.post("/api/v1/login", json={"username": "admin", "password": "demo123"})
    token = login.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    api = client.post(f"/api/v1/admin/robots/{robot.id}/test", headers=headers)
    assert api.status_code == 429 and api.headers["Retry-After"] == "45"
    assert api.get_json()["error"] == "too_soon" and "Try again in 45 seconds" in api.get_json()["message"]
    assert len(endpoint.received) == 20

    app_clock.advance(seconds=46)  # the minute's first delivery aged out
    post(client, f"/admin/robots/{robot.id}/test", {}, f"/admin/robots/{robot.id}")
    assert len(endpoint.received) == 21 and endpoint.received[-1].body["msgtype"] == "actionCard"
    assert "测试消息已发送到 南京路店群" in _flashes(client, robot.id)
