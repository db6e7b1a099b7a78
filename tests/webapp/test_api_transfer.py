"""POST /api/v1/tasks/<id>/transfer (转交): the holder or a supervisor hands a task to a colleague with
the step's role in the case's scope; 403 for others, 404 for those who may not see it, 409 when the
task is finished, 422 for a bad colleague or a missing reason."""
from __future__ import annotations

import pytest

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
             "amount_claimed": 0}
INVESTIGATION = {"findings": "店员未按流程收银", "root_cause": "新员工培训不足", "resolution_type": "apology",
                 "compensation_amount": 0, "resolution_plan": "店长致电致歉并赠送优惠券"}


def _task(api) -> int:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert response.status_code == 201
    [task] = response.get_json()["open_tasks"]
    assert task["claimable"]  # SH001 has two managers here: it waits in the pool, manager_sh001 takes it
    assert api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim").status_code == 200
    return task["id"]


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"}
    return body


def test_the_holder_transfers_to_a_colleague_who_finds_it_in_todo(api, deputy_sh001):
    task_id = _task(api)
    detail = api.as_("manager_sh001").get(f"/tasks/{task_id}").get_json()
    assert "transfer" in detail["actions"]
    response = api.as_("manager_sh001").post(f"/tasks/{task_id}/transfer",
                                             json={"to": deputy_sh001, "reason": "明天休假"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["assignee"], response.get_json()["claimable"]) == (deputy_sh001, False)
    [item] = api.as_(deputy_sh001).get("/tasks").get_json()["items"]
    assert item["id"] == task_id
    assert api.as_("manager_sh001").get("/tasks").get_json()["items"] == []
    history = api.as_(deputy_sh001).get(f"/tasks/{task_id}").get_json()["history"]
    [moved] = [e for e in history if e["event_type"] == "task_transferred"]
    assert (moved["actor"], moved["message"], moved["data"]) == (
        "manager_sh001", "明天休假", {"from": "manager_sh001", "to": deputy_sh001})
    _error(api.as_("manager_sh001").post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION}), 403)
    done = api.as_(deputy_sh001).post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION})
    assert done.status_code == 200


def test_a_supervisor_may_transfer_a_colleague_may_not(api, deputy_sh001):
    task_id = _task(api)
    _error(api.as_(deputy_sh001).post(f"/tasks/{task_id}/transfer",
                                      json={"to": deputy_sh001, "reason": "我来"}), 403)
    _error(api.as_("cs_li").post(f"/tasks/{task_id}/transfer",
                                 json={"to": deputy_sh001, "reason": "x"}), 403)  # started it: sees it
    _error(api.as_("manager_sh002").post(f"/tasks/{task_id}/transfer",
                                         json={"to": deputy_sh001, "reason": "x"}), 404)
    response = api.as_("supervisor_east").post(f"/tasks/{task_id}/transfer",
                                               json={"to": deputy_sh001, "reason": "张店长出差"})
    assert response.status_code == 200 and response.get_json()["assignee"] == deputy_sh001


@pytest.mark.parametrize("payload, status, field", [
    ({"to": "deputy_sh001"}, 422, "reason"),
    ({"to": "deputy_sh001", "reason": "  "}, 422, "reason"),
    ({"reason": "x"}, 422, "to"),
    ({"to": "manager_sh002", "reason": "x"}, 422, "to"),  # the role, for another store
    ({"to": "cs_wang", "reason": "x"}, 422, "to"),
    ({"to": "no_such_user", "reason": "x"}, 422, "to"),
    ({"to": 7, "reason": "x"}, 400, "to"),
    ({"to": "deputy_sh001", "reason": ["x"]}, 400, "reason"),
])
def test_transfer_refusals(api, deputy_sh001, payload, status, field):
    task_id = _task(api)
    body = _error(api.as_("manager_sh001").post(f"/tasks/{task_id}/transfer", json=payload), status)
    assert field in body["fields"]


def test_a_finished_task_is_409(api, deputy_sh001):
    task_id = _task(api)
    assert api.as_("manager_sh001").post(f"/tasks/{task_id}/complete",
                                         json={"data": INVESTIGATION}).status_code == 200
    _error(api.as_("manager_sh001").post(f"/tasks/{task_id}/transfer",
                                         json={"to": deputy_sh001, "reason": "x"}), 409)


def test_completing_a_claimable_task_claims_it_in_the_same_request(api, deputy_sh001):
    """With two managers at SH001 the next complaint waits in the pool; either completes it directly."""
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    [task] = response.get_json()["open_tasks"]
    assert task["claimable"]
    done = api.as_(deputy_sh001).post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION})
    assert done.status_code == 200
    detail = api.as_(deputy_sh001).get(f"/tasks/{task['id']}").get_json()
    assert (detail["assignee"], detail["completed_by"], detail["claimable"]) == (
        deputy_sh001, deputy_sh001, False)
