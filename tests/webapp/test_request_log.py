"""Request ids: the caller's when well-formed, else a new one; echoed in the response, stored on the
audit events the request writes, and in every JSON log line."""
from __future__ import annotations

import io
import json
import logging
import os
import re

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from webapp import create_app
from webapp.extensions import db
from webapp.request_log import JsonLogHandler, new_request_id

from .conftest import Api
from .test_api_tasks import INVESTIGATION, only_task, start


def test_a_well_formed_request_id_is_echoed_and_anything_else_replaced(client):
    echoed = client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a9c"}).headers["X-Request-ID"]
    assert echoed == "nginx-7f3a9c"
    for given in (None, "", "a b", "x" * 65, "<script>", "id;Set-Cookie: x=1", "-leading-dash"):
        headers = {"X-Request-ID": given} if given is not None else {}
        echoed = client.get("/healthz", headers=headers).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", echoed), (given, echoed)
    first, second = (client.get("/login").headers["X-Request-ID"] for _ in range(2))
    assert first != second



def test_workers_forked_from_one_process_make_different_request_ids():
    """gunicorn forks its workers from one master: each must draw its own ids, not repeat the master's."""
    reads, writes = os.pipe()
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:  # the child writes one id and leaves without running pytest's teardown
            os.write(writes, new_request_id().encode() + b"\n")
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    os.close(writes)
    with os.fdopen(reads) as ids:
        drawn = ids.read().split()
    assert len(drawn) == 2 and drawn[0] != drawn[1]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in drawn) and new_request_id() not in drawn

def test_the_request_id_is_on_the_audit_events_of_the_request(any_app):
    app, api = any_app, Api(any_app.test_client())
    task = only_task(start(api))
    response = api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION},
                                             headers={"X-Request-ID": "load-test-000042"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "load-test-000042"
    with app.app_context():
        tagged = db.session.execute(select(AuditEvent.event_type, AuditEvent.task_id)
                                    .where(AuditEvent.request_id == "load-test-000042")).all()
        others = set(db.session.scalars(select(AuditEvent.request_id)
                                        .where(AuditEvent.request_id != "load-test-000042")))
    assert ("task_completed", task["id"]) in tagged and len(tagged) >= 2  # the step, the next task...
    # the start was another request, with an id of its own; the demo data was loaded outside any
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in others if rid is not None)


@pytest.fixture
def json_app(tmp_path, app_clock):
    from webapp.bootstrap import prepare
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, LOG_FORMAT="json")
    prepare(app)
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, JsonLogHandler)]
    handler.setStream(io.StringIO())
    yield app, handler
    logging.getLogger().removeHandler(handler)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_json_logs_are_one_object_a_line_with_the_request_id(json_app):
    app, handler = json_app
    client = app.test_client()
    client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    with app.test_request_context("/", headers={"X-Request-ID": "ctx-2"}):
        app.preprocess_request()
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("webapp.test").exception("it failed: %s", "why")
    lines = [json.loads(line) for line in handler.stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "opsflow.request"]
    assert {"ts", "level", "logger", "message", "request_id", "endpoint", "status", "ms"} <= access[0].keys()
    assert (access[0]["request_id"], access[0]["endpoint"], access[0]["status"]) == \
        ("probe-1", "health.healthz", 200)
    [failure] = [line for line in lines if line["logger"] == "webapp.test"]
    assert failure["request_id"] == "ctx-2" and failure["message"] == "it failed: why"
    assert failure["level"] == "ERROR" and "ValueError: boom" in failure["error"]


@pytest.mark.parametrize("level, logged", [(None, False), ("info", True)])
def test_spiffworkflow_task_state_lines_are_off_unless_asked_for(tmp_path, app_clock, level, logged):
    """SpiffWorkflow logs each task's state change at INFO; the audit events hold the same steps."""
    from webapp.bootstrap import prepare
    extra = {"SPIFF_LOG_LEVEL": level} if level else {}
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, LOG_FORMAT="json", **extra)
    prepare(app)
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, JsonLogHandler)]
    handler.setStream(io.StringIO())
    try:
        api = Api(app.test_client())
        task = only_task(start(api))
        assert api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete",
                                             json={"data": INVESTIGATION}).status_code == 200
        loggers = {json.loads(line)["logger"] for line in handler.stream.getvalue().splitlines()}
        assert "opsflow.request" in loggers
        assert any(name.startswith("spiff.") for name in loggers) is logged
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger("spiff").setLevel(logging.WARNING)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
