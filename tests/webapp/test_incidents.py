"""Incidents on the case page, in the case list and in the JSON API; a model failure or oversized
data in someone's command answered 422 naming the step, never 500."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.bpmn.deploy import deploy_directory
from engine.db import make_sessions
from engine.models import Incident, ProcessInstance, User
from engine.runtime.timers import fire_due_timers
from webapp import create_app
from webapp.bootstrap import prepare
from webapp.extensions import db, engine

ENGINE_MODELS = Path(__file__).resolve().parents[1] / "engine" / "fixture_models"
MODEL_FILES = ("incident_timer.bpmn", "start_incident_timer.json", "check_share.json", "big_data.bpmn",
               "start_big_data.json", "add_more.json")


def deploy_test_models(app, folder: Path) -> None:
    folder.mkdir()
    for name in MODEL_FILES:
        shutil.copy(ENGINE_MODELS / name, folder)
    with app.app_context():
        deploy_directory(db.session, folder, now=engine().clock())
        db.session.commit()


def start(app, process: str, data: dict, user: str = "manager_sh001") -> int:
    with app.app_context():
        person = db.session.query(User).filter_by(username=user).one()
        case = engine().start(db.session, process, person, data)
        db.session.commit()
        return case.id


def fire(app) -> int:
    with app.app_context():
        return fire_due_timers(engine(), make_sessions(db.engine))


def incident_of(app, case_id: int) -> Incident:
    with app.app_context():
        return db.session.query(Incident).filter_by(instance_id=case_id).one()


def status_of(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(ProcessInstance, case_id).status


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def stopped(app, app_clock, tmp_path) -> tuple[int, int, int]:
    """(stopped case, its incident, a running case): the first divided by zero when its timer fired."""
    deploy_test_models(app, tmp_path / "models")
    bad = start(app, "incident_timer", {"store_code": "SH001", "divisor": 0, "pad": 0})
    good = start(app, "incident_timer", {"store_code": "SH001", "divisor": 2, "pad": 0})
    app_clock.advance(days=1, minutes=1)
    assert fire(app) == 1
    return bad, incident_of(app, bad).id, good


def test_supervisors_see_the_incident_and_only_administrators_can_retry_or_resolve_it(client, auth, stopped):
    case_id, incident_id, _ = stopped
    auth.login("director")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="incidents"' in html and f'data-incident-id="{incident_id}"' in html
    assert "计算占比" in html and "compute_share" in html and "ZeroDivisionError: division by zero" in html
    assert "未解决" in html and "定时器触发" in html and 'data-incident-attempts>1' in html
    assert "data-incident-retry" not in html and "由系统管理员重试或解决。" in html
    assert "系统执行“计算占比”时失败，案件已停止" in html  # the timeline
    assert 'id="resume-button"' not in html and 'id="terminate-button"' in html
    refused = client.post(f"/cases/{case_id}/resume", data={"csrf_token": token(client, f"/cases/{case_id}"),
                                                                 "reason": "go"}, follow_redirects=True)
    assert "案件因异常停止，需由系统管理员重试或解决" in refused.get_data(as_text=True)
    auth.logout()

    auth.login("admin")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "data-incident-retry" in html and "data-incident-resolve" in html
    assert f'action="/cases/{case_id}/incidents/{incident_id}/retry"' in html
    auth.logout()

    auth.login("manager_sh001")  # started the case, does not supervise it
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="case-stopped"' in html and 'id="incidents"' not in html and "ZeroDivisionError" not in html


def test_the_case_list_flags_and_filters_cases_stopped_on_an_incident(client, auth, api, stopped):
    case_id, _, good = stopped
    auth.login("supervisor_east")
    html = client.get("/cases?has_incident=yes").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in html and f'data-case-id="{good}"' not in html
    assert 'data-incidents="1"' in html and 'id="f-has-incident"' in html
    html = client.get("/cases?has_incident=no").get_data(as_text=True)
    assert f'data-case-id="{good}"' in html and f'data-case-id="{case_id}"' not in html
    listed = api.as_("director").get("/process-instances?has_incident=true").get_json()
    assert [c["id"] for c in listed["items"]] == [case_id]


def test_the_api_lists_incidents_for_supervisors_only(api, stopped):
    case_id, incident_id, _ = stopped
    detail = api.as_("director").get(f"/process-instances/{case_id}").get_json()
    [incident] = detail["incidents"]
    assert incident["id"] == incident_id and incident["status"] == "open"
    assert (incident["element_id"], incident["element_name"], incident["error_type"], incident["message"],
            incident["attempts"], incident["job"]) == (
        "compute_share", "计算占比", "ZeroDivisionError", "division by zero", 1, "timer")
    assert detail["status"] == "error"
    assert api.as_("manager_sh001").get(f"/process-instances/{case_id}").get_json()["incidents"] == []


def test_api_retry_counts_a_failed_attempt_then_goes_through_with_corrected_data(app, api, stopped):
    case_id, incident_id, _ = stopped
    path = f"/process-instances/{case_id}/incidents/{incident_id}"
    assert api.as_("director").post(f"{path}/retry", json={"reason": "try"}).status_code == 403
    refused = api.as_("admin").post(f"{path}/retry", json={})
    assert refused.status_code == 422 and refused.get_json()["fields"] == {"reason": "必填。"}
    assert api.as_("admin").post(f"{path}/retry",
                                 json={"reason": "x", "latest_version": "yes"}).status_code == 400

    failed = api.as_("admin").post(f"{path}/retry", json={"reason": "once more"})
    body = failed.get_json()
    assert failed.status_code == 422
    assert (body["error"], body["element"], body["retried"]) == ("model_error", "compute_share", False)
    assert "compute_share" in body["message"] and "ZeroDivisionError" in body["message"]
    assert (body["incident"]["status"], body["incident"]["attempts"]) == ("open", 2)
    assert incident_of(app, case_id).attempts == 2  # the failed attempt is kept

    done = api.as_("admin").post(f"{path}/retry", json={"reason": "four parts", "data": {"divisor": 4}})
    body = done.get_json()
    assert done.status_code == 200 and body["retried"] is True
    assert (body["incident"]["status"], body["incident"]["resolution"], body["incident"]["resolved_by"]) == (
        "resolved", "retried", "admin")
    assert body["instance"]["status"] == "running"
    assert [t["element_id"] for t in body["instance"]["open_tasks"]] == ["check_share"]
    again = api.as_("admin").post(f"{path}/retry", json={"reason": "again"})
    assert again.status_code == 409


def test_api_resolve_hands_the_case_back_suspended(app, api, stopped):
    case_id, incident_id, _ = stopped
    path = f"/process-instances/{case_id}/incidents/{incident_id}/resolve"
    assert api.as_("supervisor_east").post(path, json={"reason": "mine"}).status_code == 403
    assert api.as_("admin").post(f"/process-instances/{case_id}/incidents/999/resolve",
                                 json={"reason": "x"}).status_code == 404
    resolved = api.as_("admin").post(path, json={"reason": "handled by phone"})
    assert resolved.status_code == 200 and resolved.get_json()["incident"]["resolution"] == "resolved"
    assert status_of(app, case_id) == "suspended"


def test_the_case_page_forms_retry_and_resolve(app, client, auth, stopped, app_clock):
    case_id, incident_id, _ = stopped
    auth.login("admin")
    page = f"/cases/{case_id}"
    action = f"/cases/{case_id}/incidents/{incident_id}"
    bad = client.post(f"{action}/retry", data={"csrf_token": token(client, page), "reason": "fix",
                                               "data": "[1, 2]"}, follow_redirects=True)
    assert "更正数据须为 JSON 对象" in bad.get_data(as_text=True)
    assert incident_of(app, case_id).attempts == 1  # refused before anything ran

    failed = client.post(f"{action}/retry", data={"csrf_token": token(client, page), "reason": "again"},
                         follow_redirects=True).get_data(as_text=True)
    assert "流程模型中的步骤“计算占比” (compute_share)执行失败" in failed and "本次尝试已记录" in failed

    response = client.post(f"{action}/retry", data={"csrf_token": token(client, page), "reason": "five parts",
                                                     "data": '{"divisor": 5}'})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{page}#incidents")
    html = client.get(page).get_data(as_text=True)
    assert "该步骤已重新执行成功" in html and "重试成功" in html and "系统管理员 重试了“计算占比”" in html
    assert status_of(app, case_id) == "running"

    other = start(app, "incident_timer", {"store_code": "SH001", "divisor": 0, "pad": 0})
    app_clock.advance(days=1, minutes=1)
    fire(app)
    other_incident = incident_of(app, other).id
    response = client.post(f"/cases/{other}/incidents/{other_incident}/resolve",
                           data={"csrf_token": token(client, f"/cases/{other}"), "reason": "manual"})
    assert response.status_code == 303 and status_of(app, other) == "suspended"
    assert "异常已解决。案件已暂停" in client.get(f"/cases/{other}").get_data(as_text=True)
    auth.logout()
    auth.login("supervisor_east")  # resuming runs the failed step again, in the supervisor's command
    resumed = client.post(f"/cases/{other}/resume", data={"csrf_token": token(client, f"/cases/{other}"),
                                                              "reason": "try"}, follow_redirects=True)
    assert "流程模型中的步骤“计算占比” (compute_share)执行失败" in resumed.get_data(as_text=True)
    assert status_of(app, other) == "suspended"


@pytest.fixture
def small_app(tmp_path, app_clock):
    """The app with a case data limit of 20 kB, and the test models deployed."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'small.sqlite'}",
                     UPLOAD_DIR=str(tmp_path / "uploads"), CLOCK=app_clock, CASE_DATA_MAX_BYTES=20_000)
    prepare(app)
    deploy_test_models(app, tmp_path / "models")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_data_over_the_limit_is_refused_with_422_naming_the_step_not_500(small_app):
    client = small_app.test_client()
    login = client.post("/api/v1/login", json={"username": "manager_sh001", "password": "demo123"})
    refused = client.post("/api/v1/processes/big_data/instances",
                          headers={"Authorization": f"Bearer {login.get_json()['token']}"},
                          json={"data": {"store_code": "SH001", "width": 25_000, "copies": 1}})
    body = refused.get_json()
    assert refused.status_code == 422
    assert (body["error"], body["element"]) == ("case_data_too_large", "pad_start")
    assert "“填充备注” (pad_start)" in body["message"] and "20,000" in body["message"]
    with small_app.app_context():
        assert db.session.query(ProcessInstance).count() == 0

    client.post("/login", data={"username": "manager_sh001", "password": "demo123",
                                "csrf_token": token(client, "/login")})
    form = client.post("/processes/big_data", data={"csrf_token": token(client, "/processes/big_data"),
                                                    "store_code": "SH001", "width": "25000", "copies": "1"})
    assert form.status_code == 422
    assert "步骤“填充备注” (pad_start)会使案件数据超过 20,000 字节的上限" in form.get_data(as_text=True)


def test_a_gigabyte_style_script_is_refused_with_422(app, api, tmp_path):
    """5 MB of JSON from 40 kB of memory against the default 2 MB limit (the issue's 1 GB case, smaller)."""
    deploy_test_models(app, tmp_path / "models")
    refused = api.as_("manager_sh001").post("/processes/big_data/instances", json={"data": {
        "store_code": "SH001", "width": 1_000, "copies": 5_000}})
    assert refused.status_code == 422 and refused.get_json()["element"] == "pad_start"


def test_a_script_failure_while_completing_is_422_naming_the_step(app, client, auth, api, tmp_path):
    deploy_test_models(app, tmp_path / "models")
    user = api.as_("manager_sh001")
    case = user.post("/processes/big_data/instances", json={"data": {"store_code": "SH001", "width": 1,
                                                                      "copies": 1}}).get_json()
    task_id = case["open_tasks"][0]["id"]
    refused = user.post(f"/tasks/{task_id}/complete", json={"data": {"pad": 1, "divisor": 0}})
    body = refused.get_json()
    assert refused.status_code == 422
    assert (body["error"], body["element"]) == ("model_error", "pad_more")
    assert "“再次填充” (pad_more)" in body["message"]
    assert "ZeroDivisionError: division by zero" in body["message"]
    assert user.get(f"/tasks/{task_id}").get_json()["state"] == "open"

    auth.login("manager_sh001")
    page = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client, f"/tasks/{task_id}"),
                                                  "action": "complete", "pad": "1", "divisor": "0"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "流程模型中的步骤“再次填充” (pad_more)执行失败" in html


def test_the_case_data_limit_is_a_setting_handed_to_the_engine(small_app):
    from config import load_config
    assert load_config("test", environ={})["CASE_DATA_MAX_BYTES"] == 2 * 1024 * 1024
    settings = load_config("test", environ={"OPSFLOW_CASE_DATA_MAX_BYTES": "500000"})
    assert settings["CASE_DATA_MAX_BYTES"] == 500_000
    assert small_app.extensions["opsflow"].max_case_bytes == 20_000
