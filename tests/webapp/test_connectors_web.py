"""Service tasks in the running app: the `http` connector calls an allowed address of a real local
server, a failure stops the case on an incident an administrator retries through the API, and the
`mail` connector's e-mail reaches a real SMTP server through the outbox."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from config import ConfigError, connector_settings
from engine.bpmn.deploy import deploy_directory
from engine.delivery import Policy, SmtpSettings, SmtpTransport, deliver_due
from engine.models import User
from engine.runtime import run_connectors
from tests.mailbox import MailServer
from tests.robot_endpoint import start_endpoint, stop_endpoint
from webapp.background import sessions_of
from webapp.extensions import db, engine
from webapp.notices import make_renderer

MODELS = Path(__file__).resolve().parents[1] / "engine" / "connector_models"


@pytest.fixture
def wms():
    endpoint = start_endpoint()
    yield endpoint
    stop_endpoint(endpoint)


@pytest.fixture
def case_id(app, app_clock, tmp_path, wms) -> int:
    """stock_sync deployed, its `http` connector allowed to call the endpoint, a case started."""
    app.extensions["opsflow"].connectors = connector_settings({"CONNECTOR_HOSTS": wms.base + "/"})
    folder = tmp_path / "models"
    shutil.copytree(MODELS, folder)
    with app.app_context():
        deploy_directory(db.session, folder, now=app_clock())
        manager = db.session.scalar(select(User).where(User.username == "manager_sh001"))
        case = engine().start(db.session, "stock_sync", manager, {"store_code": "SH001", "sku": "A100",
                                                                  "quantity": 2, "wms_url": wms.base})
        db.session.commit()
        return case.id


def test_a_failed_call_is_retried_by_an_administrator_and_the_mail_is_sent(app, api, auth, client, app_clock,
                                                                          wms, case_id):
    wms.replies = [(404, {"error": "no such store"}), (200, {"ticket": "T-9"})]
    sessions = sessions_of(app)
    assert run_connectors(app.extensions["opsflow"], sessions) == 0
    shown = api.as_("admin").get(f"/process-instances/{case_id}").get_json()
    assert shown["status"] == "error"
    [incident] = shown["incidents"]
    assert incident["element_id"] == "tell_wms" and "answered HTTP 404" in incident["message"]

    retried = api.as_("admin").post(f"/process-instances/{case_id}/incidents/{incident['id']}/retry",
                                    json={"reason": "the store exists now"})
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["retried"] is True
    assert [r.body for r in wms.received] == [{"sku": "A100", "quantity": 2, "store": "SH001"}] * 2

    assert run_connectors(app.extensions["opsflow"], sessions) == 1
    with MailServer() as server:
        smtp = SmtpTransport(SmtpSettings("127.0.0.1", server.port, mail_from="ops@opsflow.example",
                                          timeout=5, helo="opsflow.test"))
        run = deliver_due(sessions, {"email": smtp}, make_renderer(app), app_clock, policy=Policy())
        assert run.sent >= 1 and not run.errors
        [(recipients, message)] = [(r, m) for r, m in server.mailbox.received if "A100" in m["Subject"]]
    with app.app_context():
        address = db.session.scalar(select(User.email).where(User.username == "manager_sh001"))
    assert recipients == [address] and message["Subject"] == "库存已同步 A100"
    assert "仓储系统回复：T-9" in message.get_body(("plain",)).get_content()
    page = api.as_("manager_sh001").get(f"/process-instances/{case_id}").get_json()
    assert [t["element_id"] for t in page["open_tasks"]] == ["check_reply"]
    auth.login("admin")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "“通知仓储系统”已通过 http 连接器执行" in html and "调用外部系统（服务任务）" in html


def test_connector_hosts_must_be_http_addresses():
    assert connector_settings({"CONNECTOR_HOSTS": "https://a.example/api/, http://b.example"}).allowed == (
        "https://a.example/api/", "http://b.example")
    assert connector_settings({}).allowed == ()
    with pytest.raises(ConfigError, match="OPSFLOW_CONNECTOR_HOSTS"):
        connector_settings({"CONNECTOR_HOSTS": "wms.example.com"})


def test_administrators_list_the_connector_calls(app, api, wms, case_id):
    wms.replies = [(503, {"error": "busy"})]
    assert run_connectors(app.extensions["opsflow"], sessions_of(app)) == 0
    listed = api.as_("admin").get("/admin/connector-calls?status=pending")
    assert listed.status_code == 200, listed.get_json()
    [call] = listed.get_json()["items"]
    assert (call["instance_id"], call["element_id"], call["connector"], call["attempts"]) == (
        case_id, "tell_wms", "http", 1)
    assert "answered HTTP 503" in call["last_error"]
    assert api.as_("admin").get("/admin/connector-calls?status=done").get_json()["items"] == []
    assert api.as_("admin").get("/admin/connector-calls?status=lost").status_code == 422
    assert api.as_("manager_sh001").get("/admin/connector-calls").status_code == 403
