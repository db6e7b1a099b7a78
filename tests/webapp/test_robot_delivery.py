"""A store's robot hears a new task through the whole delivery path (issue 12): the command queues
it, the worker loads it with its robot, the app's renderer says it in the group's language, the
robot transport posts it to a real local robot. (Skipped until the delivery worker and renderer,
mail lane, are merged in.)"""
from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy import select

from engine import delivery
from engine.models import OutboxMessage, Robot, User
from tests.robot_endpoint import start_endpoint, stop_endpoint
from webapp.extensions import db, engine

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("webapp.notices") is None or not hasattr(delivery, "deliver_due"),
    reason="the delivery worker and renderer (mail lane) are not here yet")

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好", "amount_claimed": 0}


def test_a_new_task_reaches_the_stores_robot_through_the_worker(app):
    from webapp.notices import make_renderer, transports_for
    app.config["BASE_URL"] = "https://ops.example"
    endpoint = start_endpoint()
    try:
        with app.app_context():
            session, runtime = db.session, engine()
            session.add(Robot(name="南京路店群", kind="dingtalk", scope="store", scope_value="SH001",
                              url=endpoint.url("/robot/send?access_token=t"), secret="sec", active=True,
                              events=["task_created"], created_at=runtime.clock()))
            session.commit()
            starter = session.scalars(select(User).where(User.username == "cs_li")).one()
            case = runtime.start(session, "complaint_handling", starter, COMPLAINT)
            session.commit()
            from webapp.background import sessions_of
            run = delivery.deliver_due(sessions_of(app), transports_for(app.config),
                                       make_renderer(app), runtime.clock, worker="test")
            assert run.sent >= 1
            statuses = {m.kind: m.status for m in session.scalars(select(OutboxMessage).where(
                OutboxMessage.robot_id.is_not(None)))}
        assert statuses == {"task_created": "sent"}
        [got] = endpoint.received
        card = got.body["actionCard"]
        assert card["title"] == f"新任务：{case.open_tasks[0].name}"
        assert card["singleURL"] == f"https://ops.example/tasks/{case.open_tasks[0].id}"
        assert case.business_key in card["text"] and got.query["sign"]
    finally:
        stop_endpoint(endpoint)
