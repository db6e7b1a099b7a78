"""E-mail from a command to a real SMTP server on loopback: the notification a command writes is
queued in its transaction, rendered in the recipient's language and time zone with a link at
BASE_URL, and sent once; a rolled-back command sends nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.delivery import Policy, SmtpSettings, SmtpTransport, deliver_due, load_rows
from engine.models import OutboxMessage, User
from tests.mailbox import MailServer
from webapp.background import sessions_of
from webapp.extensions import db
from webapp.notices import ROBOT_BODY_STUB, make_renderer, render_rows

from .test_api_instances import start


@pytest.fixture(autouse=True)
def cc_by_mail(api):
    """These tests make mail with a cc, which reaches the inbox only unless its reader asks for mail."""
    for username in ("merch_zhao", "director"):
        assert api.as_(username).put("/me/notification-preferences", json={
            "switches": {"cc": {"email": True}}}).status_code == 200


@pytest.fixture
def server():
    with MailServer() as running:
        yield running


def deliver(app, server, clock):
    smtp = SmtpTransport(SmtpSettings("127.0.0.1", server.port, mail_from="ops@opsflow.example", timeout=5,
                                      helo="opsflow.test"))
    return deliver_due(sessions_of(app), {"email": smtp}, make_renderer(app), clock, policy=Policy())


def set_user(app, username: str, **values) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(**values))
        db.session.commit()


def test_a_cc_reaches_the_mailbox_in_chinese_with_a_link(app, api, server, app_clock):
    app.config["BASE_URL"] = "https://ops.example.cn/flow"
    case = start(api)
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"],
                                                                       "note": "请关注"})
    run = deliver(app, server, app_clock)
    assert run.sent >= 1
    [msg] = [m for rcpts, m in server.mailbox.received if rcpts == ["merch_zhao@opsflow.example"]]
    assert msg["Subject"] == f"[OpsFlow] 李客服 抄送给你 · {case['title']}"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    link = f"https://ops.example.cn/flow/cases/{case['id']}"
    assert "赵商品" in text and "请关注" in text and link in text
    assert f'href="{link}"' in html and case["business_key"] in html
    assert deliver(app, server, app_clock).sent == 0  # once


def test_english_reader_in_their_time_zone(app, api, server, app_clock):
    set_user(app, "merch_zhao", locale="en", timezone="Europe/London")
    api.as_("merch_zhao").put("/me/notification-preferences", json={"quiet_hours": {"enabled": False}})
    case = start(api)  # at night in London: a reader who keeps no quiet hours hears it now
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"]})
    deliver(app, server, app_clock)
    [msg] = [m for rcpts, m in server.mailbox.received if rcpts == ["merch_zhao@opsflow.example"]]
    assert msg["Subject"] == f"[OpsFlow] 李客服 cc’d you on this case · {case['title']}"
    assert "Open in OpsFlow" in msg.get_body(("plain",)).get_content()


def test_due_time_is_shown_in_the_readers_zone(app, app_clock):
    due = app_clock() + timedelta(hours=3)  # 04:00 UTC
    row = {"id": 1, "channel": "email", "kind": "assigned", "email": "a@b.example", "locale": "en",
           "timezone": "Asia/Shanghai", "recipient": "ann", "recipient_name": "Ann", "actor_name": "Bo",
           "due_at": due, "payload": {"title": "Fix the door", "business_key": "R-1", "step": "Repair",
                                      "task_id": 7}}
    [mail] = render_rows(app, [row])
    assert mail.subject == "[OpsFlow] Bo assigned you “Repair” · Fix the door"
    assert "12:00" in mail.text and "http://localhost:5000/tasks/7" in mail.text


def test_robot_rows_are_rendered_for_the_robot(app):
    row = {"id": 2, "channel": "wecom", "kind": "assigned", "url": "http://robot.example/hook",
           "secret": None, "locale": "zh_CN", "timezone": None, "actor_name": None, "due_at": None,
           "payload": {"title": "门店报修", "business_key": "R-2", "step": "维修", "instance_id": 3}}
    [message] = render_rows(app, [row])
    assert message.to == "http://robot.example/hook" and message.channel == "wecom"
    assert "门店报修" in message.text and "维修" in message.text
    assert message.body  # the robots lane's format, or the stub until it exists
    if ROBOT_BODY_STUB in message.body:
        assert "http://localhost:5000/cases/3" in message.body["markdown"]["text"]


def test_a_rolled_back_command_sends_nothing(app, api, server, app_clock):
    case = start(api)
    with app.app_context():
        before = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0
    with app.test_request_context():
        from engine import runtime
        from webapp.extensions import engine
        cs_li = db.session.scalar(select(User).where(User.username == "cs_li"))
        runtime.cc_case(engine(), db.session, case["id"], cs_li, ["merch_zhao"], "会回滚")
        assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.id > before)) is not None
        db.session.rollback()
    received = len(server.mailbox.received)
    deliver(app, server, app_clock)
    assert [r for r, _ in server.mailbox.received[received:] if r == ["merch_zhao@opsflow.example"]] == []
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.id > before)) is None


def test_the_worker_joins_what_the_renderer_needs(app, api):
    case = start(api)
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"]})
    with app.app_context():
        ids = list(db.session.scalars(select(OutboxMessage.id)))
        rows = load_rows(db.session, ids)
    mine = [r for r in rows if r["recipient"] == "merch_zhao"]
    assert mine and mine[0]["email"] == "merch_zhao@opsflow.example"
    assert (mine[0]["actor_name"], mine[0]["locale"]) == ("李客服", "zh_CN")


def test_html_escapes_what_people_typed(app):
    row = {"id": 3, "channel": "email", "kind": "urged", "email": "a@b.example", "locale": "zh_CN",
           "timezone": "Asia/Shanghai", "recipient": "ann", "recipient_name": "<i>Ann</i>",
           "actor_name": "Bo", "due_at": None,
           "payload": {"title": "<script>alert(1)</script>", "business_key": "R-3", "step": "a & b",
                       "instance_id": 9, "message": "第一行\n<b>第二行</b>"}}
    [mail] = render_rows(app, [row])
    assert "<script>" not in mail.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "&lt;i&gt;Ann&lt;/i&gt;" in mail.html and "a &amp; b" in mail.html
    assert "第一行<br>&lt;b&gt;第二行&lt;/b&gt;" in mail.html
    assert "<script>alert(1)</script>" in mail.text  # plain text is not HTML
