"""POST /api/v1/messages: another system's message reaches the waiting cases it correlates with."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bpmn.deploy import deploy_directory
from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.models import AuditEvent, User
from webapp.extensions import db, engine

ENGINE_MODELS = Path(__file__).resolve().parents[1] / "engine" / "fixture_models"


@pytest.fixture
def waiting(app, app_clock, tmp_path) -> list[tuple[int, str]]:
    """The logistics client `wms`, and two cases (SH001, SH002) waiting for `boxes_counted`."""
    folder = tmp_path / "models"
    folder.mkdir()
    for name in ("incident_message.bpmn", "start_incident_message.json", "check_share.json"):
        shutil.copy(ENGINE_MODELS / name, folder)
    with app.app_context():
        deploy_directory(db.session, folder, now=app_clock())
        insert_user_unchecked(db.session, "wms", "demo123", display_name="仓储系统", now=app_clock(),
                              roles=[RoleSpec("integration")])
        manager = db.session.scalar(select(User).where(User.username == "manager_sh001"))
        cases = [engine().start(db.session, "incident_message", manager, {"store_code": "SH001", "total": 6})]
        db.session.commit()
        return [(c.id, c.business_key) for c in cases]


def test_an_integration_client_delivers_a_message_to_the_case_that_waits(api, app, auth, client, waiting):
    [(case_id, key)] = waiting
    message = {"name": "boxes_counted", "correlation": {"business_key": key}}
    answer = api.as_("wms").post("/messages", json={**message, "payload": {"boxes": 2}})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"delivered": [{"id": case_id, "business_key": key, "status": "running",
                                                "incident": None}]}
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "message_received"))
        assert event.instance_id == case_id and event.data["payload"] == {"boxes": 2}
    auth.login("admin")
    assert "仓储系统 发送了消息 boxes_counted" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    again = api.as_("wms").post("/messages", json=message)
    assert again.status_code == 404 and again.get_json()["error"] == "not_found"


def test_refusals_name_the_status_and_the_field(api, waiting):
    [(_, key)] = waiting
    assert api.as_("cs_li").post("/messages", json={"name": "boxes_counted",
                                                    "correlation": {"business_key": key}}).status_code == 403
    bad = api.as_("wms").post("/messages", json={"name": "boxes_counted", "correlation": {}})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"correlation"}
    elsewhere = {"name": "boxes_counted", "correlation": {"store_code": "SH002"}}
    assert api.as_("admin").post("/messages", json=elsewhere).status_code == 404
    assert api.as_("wms").post("/messages", json=["not", "an object"]).status_code == 400
