"""Service tasks through OpsFlow's connectors: `http` to a real server of the test's own (allowed by
base URL, timeouts retried with backoff, then an incident an administrator retries) and `mail`
through the outbox; a connector OpsFlow does not provide is refused at deploy."""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import DeployError, Engine, queries, runtime
from engine.bpmn.deploy import deploy_directory
from engine.bpmn.rewind import send_back_targets
from engine.models import AuditEvent, ConnectorCall, HumanTask, Incident, OutboxMessage, ProcessInstance
from engine.runtime import ConnectorSettings, run_connectors

from ..conftest import SHANGHAI, FixtureCatalogue

MODELS = Path(__file__).resolve().parents[1] / "connector_models"


class Wms(ThreadingHTTPServer):
    """The warehouse system: answers each request as `plan` says (ok, slow, 503), then ok."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.plan: list[str] = []
        self.seen: list[tuple[str, str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Wms

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)) or b"null")
        self.server.seen.append((self.command, self.path, body))
        step = self.server.plan.pop(0) if self.server.plan else "ok"
        if step == "slow":
            time.sleep(0.6)  # longer than the model's timeout (0.3 s): the client gives up first
        ticket = {"ticket": f"T-{len(self.server.seen)}"}
        status, answer = (503, {"error": "busy"}) if step == "503" else (200, ticket)
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def wms() -> Iterator[Wms]:
    server = Wms()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _engine(clock, *allowed: str) -> Engine:
    return Engine(clock=clock, catalogue=FixtureCatalogue(), zone=SHANGHAI,
                  connectors=ConnectorSettings(allowed=allowed))


@pytest.fixture
def synced(session, people, clock):
    """The stock_sync model deployed; the store manager of SH001 has an e-mail address."""
    deploy_directory(session, MODELS, now=clock())
    people["manager_sh001"].email = "sh001@example.com"
    session.commit()


def _start(engine, session, people, wms_url: str) -> int:
    case = engine.start(session, "stock_sync", people["manager_sh001"],
                        {"store_code": "SH001", "sku": "A100", "quantity": 3, "wms_url": wms_url})
    session.commit()
    assert case.open_tasks == []
    return case.id


def _call(session, case_id: int, element: str) -> ConnectorCall:
    session.expire_all()
    return session.scalars(select(ConnectorCall).where(ConnectorCall.instance_id == case_id,
                                                       ConnectorCall.element_id == element)).one()


def _open(session, case_id: int) -> list[str]:
    return list(session.scalars(select(HumanTask.element_id).where(HumanTask.instance_id == case_id,
                                                                   HumanTask.state == "open")))


def test_http_then_mail_run_in_the_background_and_the_case_moves_on(sessions, session, people, synced,
                                                                    clock, wms):
    engine = _engine(clock, wms.url + "/")
    case_id = _start(engine, session, people, wms.url)
    assert _call(session, case_id, "tell_wms").status == "pending" and wms.seen == []
    assert _marks(session, case_id, clock).current == ["tell_wms"]  # the diagram shows where it waits

    assert run_connectors(engine, sessions) == 1
    assert wms.seen == [("POST", "/stock", {"sku": "A100", "quantity": 3, "store": "SH001"})]
    assert _call(session, case_id, "tell_wms").status == "done"
    assert _call(session, case_id, "mail_manager").status == "pending" and _open(session, case_id) == []

    assert run_connectors(engine, sessions) == 1
    assert _open(session, case_id) == ["check_reply"]
    [mail] = session.scalars(select(OutboxMessage).where(OutboxMessage.instance_id == case_id)).all()
    assert (mail.channel, mail.kind, mail.recipient_id) == ("email", "model_mail", people["manager_sh001"].id)
    assert mail.payload == {"subject": "库存已同步 A100", "body": "仓储系统回复：T-1"}
    called = session.scalars(select(AuditEvent.element_id).where(AuditEvent.instance_id == case_id,
                                                                 AuditEvent.event_type == "connector_called")
                            .order_by(AuditEvent.id))
    assert list(called) == ["tell_wms", "mail_manager"]
    assert run_connectors(engine, sessions) == 0
    _, workflow = engine.load(session, engine.case_row(session, case_id))
    [holder] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert send_back_targets(workflow, holder) == []  # a service task is no step to send a case back to
    marks = _marks(session, case_id, clock)
    assert marks.current == ["check_reply"] and {"tell_wms", "mail_manager"} <= set(marks.completed)


def test_a_timeout_is_retried_with_backoff_then_stops_the_case_and_an_administrator_retries_it(
        sessions, session, people, synced, clock, wms, root):
    engine = _engine(clock, wms.url)
    case_id = _start(engine, session, people, wms.url)
    wms.plan = ["slow", "503", "slow"]
    assert run_connectors(engine, sessions) == 0
    call = _call(session, case_id, "tell_wms")
    assert (call.status, call.attempts, call.next_attempt_at) == ("pending", 1, clock() + _s(10))
    assert "did not answer within 0.3 s" in call.last_error
    assert run_connectors(engine, sessions) == 0 and len(wms.seen) == 1  # not due before its backoff

    clock.advance(seconds=10)
    assert run_connectors(engine, sessions) == 0
    call = _call(session, case_id, "tell_wms")
    assert (call.attempts, call.next_attempt_at) == (2, clock() + _s(20))
    assert "answered HTTP 503" in call.last_error
    listed = queries.connector_calls(session, root, status="pending")
    assert [(e.element_id, e.attempts, e.last_error) for e in listed.items] == [
        ("tell_wms", 2, call.last_error)] and listed.total == 1

    clock.advance(seconds=20)
    assert run_connectors(engine, sessions) == 0
    assert (_call(session, case_id, "tell_wms").status, len(wms.seen)) == ("failed", 3)
    [incident] = session.scalars(select(Incident).where(Incident.instance_id == case_id)).all()
    assert (incident.job, incident.element_id, incident.error_type, incident.attempts) == (
        "connector", "tell_wms", "ConnectorError", 3)
    assert session.get(ProcessInstance, case_id).status == "error"
    clock.advance(minutes=5)
    assert run_connectors(engine, sessions) == 0 and len(wms.seen) == 3  # stopped: nobody calls again

    result = runtime.retry_incident(engine, session, case_id, incident.id, root, "the WMS is back")
    session.commit()
    assert result.retried and result.instance.status == "running"
    assert len(wms.seen) == 4 and _call(session, case_id, "tell_wms").status == "done"
    assert run_connectors(engine, sessions) == 1 and _open(session, case_id) == ["check_reply"]


def test_an_address_under_no_allowed_base_url_is_refused_at_once(sessions, session, people, synced, clock,
                                                                 wms, root):
    engine = _engine(clock, wms.url + "/other/")
    case_id = _start(engine, session, people, wms.url)
    assert run_connectors(engine, sessions) == 0
    assert wms.seen == []
    [incident] = session.scalars(select(Incident).where(Incident.instance_id == case_id)).all()
    assert "is not under a base URL an administrator allowed" in incident.message
    again = runtime.retry_incident(engine, session, case_id, incident.id, root, "still not allowed")
    session.commit()
    assert not again.retried and wms.seen == []

    # allowed now; resolved by hand and resumed, the case calls afresh
    engine.connectors = ConnectorSettings(allowed=(wms.url,))
    runtime.resolve_incident(engine, session, case_id, incident.id, root, "allowed the WMS")
    engine.resume(session, case_id, root, "go on")
    session.commit()
    assert run_connectors(engine, sessions) == 1 and len(wms.seen) == 1
    assert (_call(session, case_id, "tell_wms").status, _call(session, case_id, "tell_wms").attempts) == (
        "done", 1)


@pytest.mark.parametrize(("url", "ok"), [
    ("http://wms.test/api/stock", True), ("http://wms.test/api", True), ("http://wms.test/apix", False),
    ("https://wms.test/api/stock", False), ("http://wms.test:8080/api/stock", False),
    ("http://wms.test/api/../admin", False), ("http://wms.test/api/%2e%2e/admin", False),
    ("http://evil.test/api/stock", False), ("ftp://wms.test/api/stock", False), ("not a url", False),
])
def test_the_allow_list_matches_scheme_host_port_and_path(url, ok):
    from engine.runtime.http_connector import allowed_url
    assert allowed_url(url, ("http://wms.test/api/",)) is ok


def test_a_connector_opsflow_does_not_provide_is_refused_at_deploy_naming_the_element(session, clock,
                                                                                     tmp_path):
    text = (MODELS / "stock_sync.bpmn").read_text("utf-8")
    url = '<spiffworkflow:parameter id="url" type="str" value="wms_url + \'/stock\'" />'
    for broken, reason in ((text.replace('serviceTaskOperator id="http"', 'serviceTaskOperator id="ftp"'),
                            "connector 'ftp', which OpsFlow does not provide"),
                           (text.replace(url, ""), "needs the parameter(s) url"),
                           (text.replace('id="timeout"', 'id="retry_after"'),
                            "has no parameter(s) retry_after")):
        folder = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for f in MODELS.iterdir():
            (folder / f.name).write_text(f.read_text("utf-8"), "utf-8")
        (folder / "stock_sync.bpmn").write_text(broken, "utf-8")
        with pytest.raises(DeployError, match=re.escape(reason)) as refused:
            deploy_directory(session, folder, now=clock())
        assert refused.value.element == "tell_wms" and refused.value.filename == "stock_sync.bpmn"
        assert "stock_sync.bpmn, element tell_wms" in str(refused.value)
        session.rollback()


def _marks(session, case_id: int, clock):
    from engine.queries.case_page import diagram_markers
    return diagram_markers(session, session.get(ProcessInstance, case_id), clock())


def _s(seconds: int):
    from datetime import timedelta
    return timedelta(seconds=seconds)


def test_two_runners_at_once_call_the_other_system_once(sessions, session, people, synced, clock, wms):
    engine = _engine(clock, wms.url)
    case_id = _start(engine, session, people, wms.url)
    wms.plan = ["slow"]  # the first runner is still waiting for its answer when the second looks
    results: list[int] = []
    runners = [threading.Thread(target=lambda: results.append(run_connectors(engine, sessions)))
               for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert sorted(results) == [0, 0] and len(wms.seen) == 1
    call = _call(session, case_id, "tell_wms")
    assert (call.status, call.attempts) == ("pending", 1)


def test_a_suspended_case_is_not_called_until_it_is_resumed(sessions, session, people, synced, clock, wms,
                                                            root):
    engine = _engine(clock, wms.url)
    case_id = _start(engine, session, people, wms.url)
    engine.suspend(session, case_id, root, "wait for the stocktake")
    session.commit()
    assert run_connectors(engine, sessions) == 0 and wms.seen == []
    engine.resume(session, case_id, root, "stocktake done")
    session.commit()
    assert run_connectors(engine, sessions) == 1 and len(wms.seen) == 1
