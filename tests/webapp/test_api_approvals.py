"""JSON API for 加签 / 减签: add-approvers, remove-approver, decide (and complete on an approval), held
to the published description.

A service complaint at SH001 goes to manager_sh001, who asks supervisor_east (and cs_wang) to approve;
manager_sh002 never sees the case.
"""
from __future__ import annotations

import pytest

from .test_api_tasks import COMPLAINT, INVESTIGATION, error, ids, listing, only_task
from .test_openapi import conforming


@pytest.fixture
def check(client):
    return conforming(client.get("/api/v1/openapi.json").get_json())


@pytest.fixture
def held(api):
    """The complaint's investigation, claimed by manager_sh001: (case id, task id)."""
    case = api.as_("cs_li").post("/processes/complaint_handling/instances",
                                 json={"data": COMPLAINT}).get_json()
    task = only_task(case)
    assert api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim").status_code == 200
    return case["id"], task["id"]


def _approval_of(api, user: str) -> dict:
    [item] = [t for t in listing(api, user, "?scope=mine")["items"] if t["kind"] == "approval"]
    return item


def test_approvers_before_then_the_holder_completes(api, held, check):
    case_id, task_id = held
    manager, sup = api.as_("manager_sh001"), api.as_("supervisor_east")
    detail = check(manager.get(f"/tasks/{task_id}"), "TaskDetail", 200)
    assert {"add_approvers", "complete"} <= set(detail["actions"])
    assert "remove_approver" not in detail["actions"]
    task = check(manager.post(f"/tasks/{task_id}/add-approvers", json={
        "usernames": ["supervisor_east"], "position": "before", "reason": "金额较大，请主管先看"}),
        "Task", 200)
    assert (task["waiting_on"], task["kind"]) == ("before", "step")
    detail = check(manager.get(f"/tasks/{task_id}"), "TaskDetail", 200)
    assert "complete" not in detail["actions"] and "remove_approver" in detail["actions"]
    assert detail["may_act"] is False
    assert [(a["username"], a["position"], a["state"]) for a in detail["approvals"]] == [
        ("supervisor_east", "before", "open")]
    body = error(manager.post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION}), 409)
    assert "supervisor_east" in body["message"]

    approval = _approval_of(api, "supervisor_east")
    assert (approval["parent_id"], approval["position"], approval["role"]) == (task_id, "before", None)
    seen = check(sup.get(f"/tasks/{approval['id']}"), "TaskDetail", 200)
    assert seen["actions"] == ["decide", "cc", "comment"] and seen["holder"]["id"] == task_id
    case = check(sup.post(f"/tasks/{approval['id']}/decide", json={"decision": "approve", "comment": "同意"}),
                 "Instance", 200)
    assert [t["id"] for t in case["open_tasks"]] == [task_id]
    case = check(manager.post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION}), "Instance", 200)
    assert only_task(case)["element_id"] == "customer_follow_up"
    history = api.as_("cs_li").get(f"/process-instances/{case_id}").get_json()["events"]
    decided = [e for e in history if e["event_type"] == "approval_decided"]
    assert [(e["actor"], e["message"], e["data"]["decision"]) for e in decided] == [
        ("supervisor_east", "同意", "approve")]


def test_approvers_after_and_a_rejection_through_complete(api, held, check):
    case_id, task_id = held
    manager = api.as_("manager_sh001")
    check(manager.post(f"/tasks/{task_id}/add-approvers", json={
        "usernames": ["supervisor_east", "cs_wang"], "position": "after", "reason": "请复核"}), "Task", 200)
    pending = check(manager.get(f"/tasks/{task_id}"), "TaskDetail", 200)["approvals"]
    assert [(a["username"], a["state"], a["task_id"]) for a in pending] == [
        ("supervisor_east", "pending", None), ("cs_wang", "pending", None)]
    case = check(manager.post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION}), "Instance", 200)
    assert {t["element_id"] for t in case["open_tasks"]} == {"investigate_store"}
    approval = _approval_of(api, "cs_wang")
    seen = check(api.as_("cs_wang").get(f"/tasks/{approval['id']}"), "TaskDetail", 200)
    assert seen["case"]["findings"] == INVESTIGATION["findings"]  # what the holder submitted
    body = error(api.as_("cs_wang").post(f"/tasks/{approval['id']}/complete",
                                         json={"data": {"decision": "reject"}}), 422)
    assert set(body["fields"]) == {"comment"}
    check(api.as_("cs_wang").post(f"/tasks/{approval['id']}/complete",
                                  json={"data": {"decision": "reject", "comment": "金额写错了"}}),
          "Instance", 200)
    detail = check(manager.get(f"/tasks/{task_id}"), "TaskDetail", 200)
    assert detail["waiting_on"] is None and "complete" in detail["actions"]
    assert detail["draft"]["findings"] == INVESTIGATION["findings"]
    assert [(a["username"], a["state"], a["decision"], a["comment"]) for a in detail["approvals"]] == [
        ("supervisor_east", "cancelled", None, None), ("cs_wang", "completed", "reject", "金额写错了")]
    assert ids(listing(api, "supervisor_east", "?scope=mine")) == []


def test_remove_an_approver(api, held, check):
    case_id, task_id = held
    manager = api.as_("manager_sh001")
    manager.post(f"/tasks/{task_id}/add-approvers", json={
        "usernames": ["supervisor_east"], "position": "before", "reason": "请看"})
    body = error(manager.post(f"/tasks/{task_id}/remove-approver", json={"username": "cs_wang"}), 422)
    assert set(body["fields"]) == {"username"}
    task = check(manager.post(f"/tasks/{task_id}/remove-approver",
                              json={"username": "supervisor_east", "reason": "不需要了"}), "Task", 200)
    assert task["waiting_on"] is None
    assert ids(listing(api, "supervisor_east", "?scope=mine")) == []


def test_who_may_not(api, held, check):
    case_id, task_id = held
    manager = api.as_("manager_sh001")
    ask = {"usernames": ["supervisor_east"], "position": "before", "reason": "r"}
    check(api.as_("manager_sh002").post(f"/tasks/{task_id}/add-approvers", json=ask), "Error", 404)  # unseen
    check(api.as_("supervisor_east").post(f"/tasks/{task_id}/add-approvers", json=ask), "Error", 403)
    check(manager.post(f"/tasks/{task_id}/add-approvers", json={**ask, "usernames": "supervisor_east"}),
          "Error", 400)
    for bad, field in (({"usernames": ["nobody"]}, "usernames"), ({"position": "later"}, "position"),
                       ({"reason": ""}, "reason"), ({"usernames": ["manager_sh001"]}, "usernames")):
        body = check(manager.post(f"/tasks/{task_id}/add-approvers", json={**ask, **bad}), "Error", 422)
        assert set(body["fields"]) == {field}
    check(manager.post(f"/tasks/{task_id}/add-approvers", json=ask), "Task", 200)
    approval = _approval_of(api, "supervisor_east")
    for outsider in ("manager_sh001", "cs_wang"):
        response = api.as_(outsider).post(f"/tasks/{approval['id']}/decide", json={"decision": "approve"})
        assert response.status_code in (403, 404), outsider
    check(api.as_("supervisor_east").post(f"/tasks/{approval['id']}/decide", json={"decision": "maybe"}),
          "Error", 422)
    check(manager.post(f"/tasks/{task_id}/decide", json={"decision": "approve"}), "Error", 409)
    check(api.as_("supervisor_east").post(f"/tasks/{task_id}/remove-approver",
                                          json={"username": "supervisor_east"}), "Error", 403)
    check(api.as_("supervisor_east").post(f"/process-instances/{case_id}/terminate", json={"reason": "重复"}),
          "Instance", 200)
    check(api.as_("supervisor_east").post(f"/tasks/{approval['id']}/decide", json={"decision": "approve"}),
          "Error", 409)
