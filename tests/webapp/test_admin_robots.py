"""The admin pages for group robots (issue 12): administrators only, the secret never shown back,
scope checked against the directory, a test message sent to a real local robot, the operations
center's robot from OPSFLOW_WEBHOOK_URL at startup."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config import ConfigError, load_config
from engine.models import AuditEvent, Robot
from tests.robot_endpoint import start_endpoint, stop_endpoint
from webapp.bootstrap import configure_robot
from webapp.extensions import db

ROBOT = {"name": "南京路店群", "kind": "dingtalk", "scope": "store", "scope_value": "SH001",
         "url": "https://oapi.dingtalk.com/robot/send?access_token=tok", "secret": "TOP-SECRET-1",
         "events": ["task_created", "task_overdue"], "active": "1"}


def csrf_token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def post(client, path: str, data: dict, form_page: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)})


def robots(app) -> list[Robot]:
    with app.app_context():
        found = list(db.session.scalars(select(Robot).order_by(Robot.id)))
        for r in found:
            db.session.expunge(r)
        return found


@pytest.fixture
def admin(client, auth):
    """The administrator, reading English."""
    auth.login("admin")
    client.post("/account/language", data={"locale": "en", "csrf_token": csrf_token(client, "/account")})
    return client


def test_only_administrators_reach_the_robot_pages(app, client, auth):
    auth.login("manager_sh001")
    assert client.get("/admin/robots").status_code == 403
    assert client.get("/admin/robots/new").status_code == 403


def test_add_edit_keep_secret_deactivate_delete(app, admin):
    page = admin.get("/admin/robots/new").get_data(as_text=True)
    assert 'name="events" id="events-task_created" value="task_created" checked' in page
    response = post(admin, "/admin/robots/new", ROBOT)
    assert response.status_code == 303
    [robot] = robots(app)
    assert (robot.secret, robot.events, robot.scope_value) == (
        "TOP-SECRET-1", ["task_created", "task_overdue"], "SH001")
    edit = admin.get(f"/admin/robots/{robot.id}").get_data(as_text=True)
    assert "TOP-SECRET-1" not in edit and "A secret is stored" in edit
    listing = admin.get("/admin/robots").get_data(as_text=True)
    assert "南京路店群" in listing and "access_token" not in listing and "TOP-SECRET-1" not in listing
    response = post(admin, f"/admin/robots/{robot.id}", {**ROBOT, "secret": "", "name": "南京路",
                                                         "events": ["case_ended"]})
    assert response.status_code == 303
    [robot] = robots(app)
    assert (robot.name, robot.secret, robot.events) == ("南京路", "TOP-SECRET-1", ["case_ended"])
    assert post(admin, f"/admin/robots/{robot.id}/active", {"active": "0"},
                f"/admin/robots/{robot.id}").status_code == 303
    assert robots(app)[0].active is False
    toggle = admin.get(f"/admin/robots/{robot.id}").get_data(as_text=True).split('id="toggle-active">')[1]
    assert toggle.startswith("Activate")
    with app.app_context():
        audit = [e.event_type for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.event_type.like("robot_%")))]
    assert audit == ["robot_created", "robot_changed", "robot_changed"]
    assert "added the robot" in admin.get("/admin/").get_data(as_text=True)
    assert post(admin, f"/admin/robots/{robot.id}/delete", {}, f"/admin/robots/{robot.id}").status_code == 303
    assert robots(app) == []


def test_a_refused_robot_is_shown_again_beside_its_fields(app, admin):
    bad = {**ROBOT, "scope_value": "ZZ999", "url": "ftp://x", "name": ""}
    response = post(admin, "/admin/robots/new", bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert set(re.findall(r'id="([\w-]+)-error"', html)) == {"name", "scope_value", "url"}
    assert "There is no store or region with this code." in html
    assert "TOP-SECRET-1" not in html  # a refused form does not echo the secret either
    assert robots(app) == []


def test_the_pages_speak_chinese(app, admin):
    admin.post("/account/language", data={"locale": "zh_CN", "csrf_token": csrf_token(admin, "/account")})
    html = admin.get("/admin/robots/new").get_data(as_text=True)
    assert "群机器人" in html and "企业微信" in html and "钉钉" in html and "飞书" in html


def test_send_a_test_message_to_a_real_robot(app, admin):
    endpoint = start_endpoint()
    try:
        post(admin, "/admin/robots/new", {**ROBOT, "url": endpoint.url("/robot/send?access_token=t")})
        [robot] = robots(app)
        response = post(admin, f"/admin/robots/{robot.id}/test", {}, f"/admin/robots/{robot.id}")
        assert response.status_code == 303
        [got] = endpoint.received
        assert got.body["msgtype"] == "actionCard" and got.body["actionCard"]["singleURL"].endswith(
            f"/admin/robots/{robot.id}")
        assert got.query["sign"] and got.query["access_token"] == "t"
        assert "Test message sent" in admin.get(f"/admin/robots/{robot.id}").get_data(as_text=True)
        endpoint.replies.append((200, {"errcode": 310000, "errmsg": "sign not match"}))
        post(admin, f"/admin/robots/{robot.id}/test", {}, f"/admin/robots/{robot.id}")
        assert "sign not match" in admin.get(f"/admin/robots/{robot.id}").get_data(as_text=True)
    finally:
        stop_endpoint(endpoint)


def test_the_environment_configures_the_center_robot(app):
    assert configure_robot(app) is False
    app.config.update(WEBHOOK_URL="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                      WEBHOOK_KIND="wecom")
    assert configure_robot(app) is True
    app.config.update(WEBHOOK_URL="https://open.feishu.cn/open-apis/bot/v2/hook/h", WEBHOOK_KIND="feishu",
                      WEBHOOK_SECRET="s")
    configure_robot(app)
    [robot] = robots(app)
    assert (robot.scope, robot.kind, robot.url, robot.secret, robot.active) == (
        "center", "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/h", "s", True)


def test_the_webhook_settings_are_checked():
    settings = load_config("test", environ={"OPSFLOW_WEBHOOK_URL": "https://x/y",
                                            "OPSFLOW_WEBHOOK_KIND": "DingTalk",
                                            "OPSFLOW_ROBOT_RATE_PER_MINUTE": "1000"})
    assert (settings["WEBHOOK_URL"], settings["WEBHOOK_KIND"], settings["ROBOT_RATE_PER_MINUTE"]) == (
        "https://x/y", "dingtalk", 1000)
    with pytest.raises(ConfigError):
        load_config("test", environ={"OPSFLOW_WEBHOOK_KIND": "slack"})
    with pytest.raises(ConfigError):
        load_config("test", environ={"OPSFLOW_WEBHOOK_URL": "x"})
