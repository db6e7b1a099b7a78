"""What a group robot says (issue 12): a command's robot events rendered in the group's language
with a link, and sent through the robot transport to a real local endpoint."""
from __future__ import annotations

from sqlalchemy import select

from engine import runtime as commands
from engine.delivery import RobotTransport
from engine.models import OutboxMessage, Robot, User
from tests.robot_endpoint import start_endpoint, stop_endpoint
from webapp.extensions import db, engine
from webapp.robot_notices import render_robot_rows

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好", "amount_claimed": 0}


def _rows(session):
    """Robot outbox rows with their robot joined in, as the delivery worker hands them over."""
    query = (select(OutboxMessage, Robot).join(Robot, Robot.id == OutboxMessage.robot_id)
             .order_by(OutboxMessage.id))
    return [{"id": m.id, "channel": m.channel, "kind": m.kind, "payload": m.payload, "robot_id": r.id,
             "url": r.url, "secret": r.secret} for m, r in session.execute(query)]


def test_a_new_task_and_the_cases_end_reach_the_stores_group(app):
    app.config["BASE_URL"] = "https://ops.example/"
    endpoint = start_endpoint()
    try:
        with app.app_context():
            session, runtime = db.session, engine()
            session.add(Robot(name="南京路店群", kind="feishu", scope="store", scope_value="SH001",
                              url=endpoint.url("/open-apis/bot/v2/hook/h"), secret="fs", active=True,
                              events=["task_created", "task_urged", "case_ended"],
                              created_at=runtime.clock()))
            session.commit()
            people = {u.username: u for u in session.scalars(select(User))}
            case = runtime.start(session, "complaint_handling", people["cs_li"], COMPLAINT)
            session.commit()
            task = case.open_tasks[0]
            commands.urge(runtime, session, task.id, people["cs_li"], "顾客在等")
            commands.withdraw(runtime, session, case.id, people["cs_li"], "顾客撤诉")
            session.commit()
            messages = render_robot_rows(_rows(session))
            outcomes = RobotTransport(runtime.clock).send(messages)
        assert [o.ok for o in outcomes] == [True, True, True]
        created, urged, ended = [r.body for r in endpoint.received]
        card = created["card"]
        assert card["header"]["title"]["content"] == f"新任务：{task.name}"
        text = card["elements"][0]["text"]["content"]
        assert f"**{case.title}**" in text and f"单号：{case.business_key}" in text and "门店：" in text
        assert "截止：" in text
        button = card["elements"][1]["actions"][0]
        assert (button["text"]["content"], button["url"]) == (
            "在 OpsFlow 中打开", f"https://ops.example/tasks/{task.id}")
        assert created["sign"] and created["timestamp"]
        assert urged["card"]["header"]["title"]["content"] == f"催办：{task.name}"
        assert "原因：顾客在等" in urged["card"]["elements"][0]["text"]["content"]
        assert ended["card"]["header"]["title"]["content"].startswith("事项结束：")
        assert ended["card"]["elements"][1]["actions"][0]["url"] == f"https://ops.example/cases/{case.id}"
    finally:
        stop_endpoint(endpoint)


def test_the_group_language_can_be_english(app):
    app.config["ROBOT_LOCALE"] = "en"
    with app.app_context():
        [message] = render_robot_rows([{
            "id": 1, "channel": "wecom", "kind": "task_overdue", "robot_url": "http://x",
            "payload": {"step": "Check", "title": "T", "business_key": "K-1", "task_id": 5,
                        "due_at": "2026-11-02T01:00:00+00:00"}}])
    content = message.body["markdown"]["content"]
    assert content.startswith("**Overdue: Check**\n**T**\nCase number: K-1\nDue: ")
    assert content.endswith("[Open in OpsFlow](http://localhost:5000/tasks/5)")
    assert message.to == "http://x" and message.subject == "Overdue: Check"
