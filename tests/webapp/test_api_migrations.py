"""The API moving running cases to another version (dry run, refusal naming the field, the mapping
that makes a case movable) and retiring / re-enabling a process, on the shipped complaint process."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bpmn import Upload, deploy_uploads
from engine.models import User
from webapp.extensions import db

from .test_api import COMPLAINT

BPMN = Path(__file__).parents[2] / "bpmn" / "complaint_handling.bpmn"


def _deploy_v2(app, app_clock) -> None:
    """Version 2: the store's investigation step has another id, so a case waiting on it needs a mapping."""
    text = BPMN.read_text("utf-8")
    assert '"investigate_store"' in text
    text = text.replace('"investigate_store"', '"investigate_store_v2"').replace(
        ">investigate_store<", ">investigate_store_v2<")
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        deploy_uploads(db.session, admin, [Upload("complaint_handling.bpmn", text.encode())], app_clock(),
                       key="complaint_handling")
        db.session.commit()


@pytest.fixture
def waiting_case(api, app, app_clock) -> int:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert response.status_code == 201
    _deploy_v2(app, app_clock)
    return response.get_json()["id"]


def _migrate(api, who="admin", **body):
    return api.as_(who).post("/processes/complaint_handling/migrations",
                             json={"from_version": 1, "to_version": 2, **body})


def test_dry_run_says_why_a_case_cannot_move_and_changes_nothing(api, waiting_case):
    response = _migrate(api, instance_ids=[waiting_case], dry_run=True)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    [case] = report["cases"]
    assert (case["instance_id"], case["movable"], case["moved"]) == (waiting_case, False, False)
    assert case["blockers"] == [{"element_id": "investigate_store", "name": "投诉调查与处理方案",
                                 "reason": "removed"}]
    assert "investigate_store" in case["reasons"][0]
    assert {"element_id": "investigate_store", "name": "投诉调查与处理方案"} in case["waiting"]
    assert api.as_("admin").get(f"/process-instances/{waiting_case}").get_json()["version"] == 1


@pytest.mark.parametrize("body, field", [
    ({"to_version": 7}, "to_version"),
    ({"from_version": "one"}, "from_version"),
    ({"mapping": {"investigate_store": "no_such_step"}}, "mapping.investigate_store"),
    ({"mapping": {"investigate_store": "end_resolved"}}, "mapping.investigate_store"),
])
def test_bad_input_is_a_422_naming_the_field(api, waiting_case, body, field):
    response = _migrate(api, dry_run=False, **body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert api.as_("admin").get(f"/process-instances/{waiting_case}").get_json()["version"] == 1


def test_only_administrators_migrate(api, waiting_case):
    assert _migrate(api, who="cs_li", dry_run=True).status_code == 403


def test_the_mapping_moves_the_case_and_its_task(api, waiting_case):
    mapping = {"investigate_store": "investigate_store_v2"}
    response = _migrate(api, instance_ids=[waiting_case], mapping=mapping, dry_run=False)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["moved"] == 1 and report["cases"][0]["moved"] and report["mapping"] == mapping
    case = api.as_("admin").get(f"/process-instances/{waiting_case}").get_json()
    assert case["version"] == 2
    assert [t["element_id"] for t in case["open_tasks"]] == ["investigate_store_v2"]
    tasks = api.as_("manager_sh001").get("/tasks?scope=mine").get_json()["items"]
    assert "investigate_store_v2" in [t["element_id"] for t in tasks if t["instance_id"] == waiting_case]


def test_retire_and_enable(api):
    assert api.as_("cs_li").post("/processes/complaint_handling/retire").status_code == 403
    assert api.as_("admin").post("/processes/complaint_handling/retire").get_json() == {
        "key": "complaint_handling", "retired": True}
    refused = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert refused.status_code == 409 and "complaint_handling" in refused.get_json()["message"]
    listed = api.as_("cs_li").get("/processes").get_json()["items"]
    assert "complaint_handling" not in [p["key"] for p in listed]
    assert api.as_("admin").post("/processes/complaint_handling/retire").status_code == 409
    assert api.as_("admin").post("/processes/complaint_handling/enable").get_json()["retired"] is False
    started = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert started.status_code == 201
