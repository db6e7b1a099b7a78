"""JSON API: task lists, a task with its form and case, claim / unclaim / assign / complete.

The cast is DESIGN.md section 2's: a service complaint at SH001 goes to manager_sh001 (store_manager
of SH001); manager_sh002 never sees it; supervisor_east oversees region EAST; cs_li and cs_wang are
the cs_agents who follow up with the customer.
"""
from __future__ import annotations

import pytest

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
             "amount_claimed": 0}
RETURN = {"store_code": "NJ01", "return_type": "quality", "reason": "面料起球",
          "items": [{"sku": "TS-1001", "name": "圆领T恤", "quantity": 3, "unit_price": 99}]}
INVESTIGATION = {"findings": "店员未按流程收银", "root_cause": "新员工培训不足", "resolution_type": "apology",
                 "compensation_amount": 0, "resolution_plan": "店长致电致歉并赠送优惠券"}
TASK_KEYS = {"id", "name", "element_id", "process_key", "instance_id", "role", "store_code", "assignee",
             "created_at", "due_at"}


def start(api, user: str = "cs_li", key: str = "complaint_handling", **changes) -> dict:
    data = {**(RETURN if key == "product_return" else COMPLAINT), **changes}
    response = api.as_(user).post(f"/processes/{key}/instances", json={"data": data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def only_task(case: dict) -> dict:
    [task] = case["open_tasks"]
    return task


def listing(api, user: str, query: str = "") -> dict:
    response = api.as_(user).get(f"/tasks{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    return body


def ids(body: dict) -> list[int]:
    return [t["id"] for t in body["items"]]


def error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"}
    return body


# -- lists ---------------------------------------------------------------------------------------------

def test_scopes_todo_mine_claimable_and_all(api, deputy_sh001):
    task = only_task(start(api))  # SH001 has two managers now: the task waits in the pool
    assert ids(listing(api, "manager_sh001", "?scope=claimable")) == [task["id"]]
    assert ids(listing(api, "manager_sh001", "?scope=mine")) == []
    assert ids(listing(api, "manager_sh001")) == [task["id"]]  # scope=todo (待办) is the default
    assert ids(listing(api, "manager_sh001", "?scope=all")) == [task["id"]]
    [item] = listing(api, "manager_sh001", "?scope=todo")["items"]
    assert TASK_KEYS <= set(item)
    assert (item["role"], item["store_code"], item["assignee"], item["claimable"], item["due_at"]) == (
        "store_manager", "SH001", None, True, "2026-11-03T01:00:00+00:00")

    assert api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim").status_code == 200
    assert ids(listing(api, "manager_sh001", "?scope=mine")) == [task["id"]]
    assert ids(listing(api, "manager_sh001", "?scope=claimable")) == []
    [item] = listing(api, "manager_sh001")["items"]
    assert (item["id"], item["assignee"], item["claimable"]) == (task["id"], "manager_sh001", False)
    assert listing(api, deputy_sh001)["items"] == []  # no longer in the other manager's 待办


def test_the_only_holder_finds_the_task_in_todo_already_hers(api):
    task = only_task(start(api))
    assert (task["assignee"], task["claimable"]) == ("manager_sh001", False)
    [item] = listing(api, "manager_sh001")["items"]
    assert (item["id"], item["claimable"]) == (task["id"], False)
    assert listing(api, "manager_sh001", "?scope=claimable")["items"] == []


@pytest.mark.parametrize("user", ["manager_sh002", "manager_hz001", "franchisee_nj01", "cs_li", "merch_zhao"])
def test_other_people_never_see_the_store_managers_task(api, user):
    start(api)
    for scope in ("mine", "claimable", "all"):
        assert listing(api, user, f"?scope={scope}")["total"] == 0


def test_a_franchisee_sees_only_its_own_store(api):
    nj01 = only_task(start(api, store_code="NJ01", channel="franchisee"))
    start(api, store_code="SH002")
    assert ids(listing(api, "franchisee_nj01")) == [nj01["id"]]
    assert listing(api, "manager_sh002")["total"] == 1
    assert listing(api, "manager_sh001")["total"] == 0


def test_process_filter(api):
    review = only_task(start(api, "franchisee_nj01", "product_return"))
    investigation = only_task(start(api))
    api.as_("manager_sh001").post(f"/tasks/{investigation['id']}/complete", json={"data": INVESTIGATION})
    both = listing(api, "cs_li")
    assert both["total"] == 2
    assert ids(listing(api, "cs_li", "?process=product_return")) == [review["id"]]
    [follow_up] = listing(api, "cs_li", "?process=complaint_handling")["items"]
    assert follow_up["element_id"] == "customer_follow_up"
    assert listing(api, "cs_li", "?process=store_opening")["total"] == 0


def test_overdue_filter(api, app, app_clock):
    app.config["API_TOKEN_HOURS"] = 72  # the clock moves past the default token lifetime below
    task = only_task(start(api))
    assert listing(api, "manager_sh001", "?overdue=true")["total"] == 0
    assert ids(listing(api, "manager_sh001", "?overdue=false")) == [task["id"]]
    app_clock.advance(hours=25)
    assert ids(listing(api, "manager_sh001", "?overdue=true")) == [task["id"]]
    assert listing(api, "manager_sh001", "?overdue=0")["total"] == 0
    assert listing(api, "manager_sh001")["total"] == 1


def test_paging(api):
    started = [only_task(start(api, customer_name=name))["id"] for name in ("甲", "乙", "丙")]
    first = listing(api, "manager_sh001", "?per_page=2")
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (3, 1, 2, 2)
    second = listing(api, "manager_sh001", "?per_page=2&page=2")
    assert (second["page"], len(second["items"])) == (2, 1)
    assert sorted(ids(first) + ids(second)) == sorted(started)
    assert listing(api, "manager_sh001", "?per_page=2&page=3")["items"] == []
    assert len(listing(api, "manager_sh001", "?per_page=100")["items"]) == 3


@pytest.mark.parametrize("query, status, field", [
    ("?per_page=0", 422, "per_page"), ("?per_page=101", 422, "per_page"), ("?page=0", 422, "page"),
    ("?per_page=ten", 400, "per_page"), ("?page=1.5", 400, "page"), ("?scope=everyone", 422, "scope"),
    ("?sort=name", 422, "sort"), ("?overdue=maybe", 400, "overdue"),
])
def test_bad_list_parameters(api, query, status, field):
    body = error(api.as_("manager_sh001").get(f"/tasks{query}"), status)
    assert field in body["fields"]


# -- one task --------------------------------------------------------------------------------------------

def test_a_task_carries_its_form_and_the_case(api):
    task = only_task(start(api))
    response = api.as_("manager_sh001").get(f"/tasks/{task['id']}")
    assert response.status_code == 200
    body = response.get_json()
    assert TASK_KEYS <= set(body) and body["id"] == task["id"]
    assert body["form"]["type"] == "object"
    assert {"findings", "root_cause", "resolution_type", "compensation_amount", "resolution_plan"} <= set(
        body["form"]["properties"])
    assert body["case"]["customer_name"] == "王女士" and body["case"]["store_code"] == "SH001"
    assert body["case"]["handler_role"] == "store_manager"
    assert body["may_act"] is True
    assert {"started", "task_created"} <= {e["event_type"] for e in body["history"]}


def test_a_supervisor_sees_the_task_but_may_not_act(api):
    task = only_task(start(api))
    body = api.as_("supervisor_east").get(f"/tasks/{task['id']}").get_json()
    assert body["id"] == task["id"] and body["may_act"] is False


@pytest.mark.parametrize("user", ["manager_sh002", "franchisee_nj01", "merch_zhao"])
def test_an_invisible_task_is_404(api, user):
    task = only_task(start(api))
    error(api.as_(user).get(f"/tasks/{task['id']}"), 404)
    error(api.as_("manager_sh001").get("/tasks/9999"), 404)


# -- claim, unclaim, assign ---------------------------------------------------------------------------

def test_claim_and_unclaim(api):
    task = only_task(start(api))
    claimed = api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "manager_sh001"
    assert TASK_KEYS <= set(claimed.get_json())
    assert api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim").status_code == 200  # already mine
    released = api.as_("manager_sh001").post(f"/tasks/{task['id']}/unclaim")
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/unclaim"), 409)


def test_claim_without_the_role_is_403_and_invisible_is_404(api):
    task = only_task(start(api))
    error(api.as_("cs_li").post(f"/tasks/{task['id']}/claim"), 403)            # started the case
    error(api.as_("supervisor_east").post(f"/tasks/{task['id']}/claim"), 403)  # oversees it
    error(api.as_("manager_sh002").post(f"/tasks/{task['id']}/claim"), 404)
    error(api.as_("manager_sh001").post("/tasks/9999/claim"), 404)


def test_a_task_claimed_by_someone_else(api):
    investigation = only_task(start(api))
    case = api.as_("manager_sh001").post(f"/tasks/{investigation['id']}/complete",
                                         json={"data": INVESTIGATION}).get_json()
    follow_up = only_task(case)
    assert api.as_("cs_li").post(f"/tasks/{follow_up['id']}/claim").status_code == 200
    error(api.as_("cs_wang").post(f"/tasks/{follow_up['id']}/claim"), 409)
    error(api.as_("cs_wang").post(f"/tasks/{follow_up['id']}/unclaim"), 403)
    error(api.as_("cs_wang").post(f"/tasks/{follow_up['id']}/complete",
                                  json={"data": {"customer_satisfied": True, "feedback": "满意"}}), 403)
    assert ids(listing(api, "cs_wang")) == []
    released = api.as_("cs_manager").post(f"/tasks/{follow_up['id']}/unclaim")  # a supervisor may release
    assert released.status_code == 200 and released.get_json()["assignee"] is None


def test_assign_by_a_supervisor(api, deputy_sh001):
    task = only_task(start(api))
    response = api.as_("supervisor_east").post(f"/tasks/{task['id']}/assign",
                                               json={"user": "manager_sh001", "reason": "请尽快处理"})
    assert response.status_code == 200 and response.get_json()["assignee"] == "manager_sh001"
    assert ids(listing(api, "manager_sh001", "?scope=mine")) == [task["id"]]
    events = api.as_("supervisor_east").get(f"/tasks/{task['id']}").get_json()["history"]
    assigned = [e for e in events if e["event_type"] == "task_assigned"]
    assert assigned and assigned[0]["data"] == {"from": None, "to": "manager_sh001"}


@pytest.mark.parametrize("payload, status, field", [
    ({"user": "manager_sh002"}, 422, "user"),   # does not hold the role for SH001
    ({"user": "no_such_user"}, 422, "user"),
    ({}, 422, "user"),
    ({"user": 7}, 400, "user"),
    ({"user": "manager_sh001", "reason": ["x"]}, 400, "reason"),
])
def test_assign_refusals(api, payload, status, field):
    task = only_task(start(api))
    body = error(api.as_("supervisor_east").post(f"/tasks/{task['id']}/assign", json=payload), status)
    assert field in body["fields"]


def test_assign_by_a_non_supervisor_is_403_or_404(api):
    task = only_task(start(api))
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/assign", json={"user": "manager_sh001"}), 403)
    error(api.as_("manager_sh002").post(f"/tasks/{task['id']}/assign", json={"user": "manager_sh002"}), 404)


# -- complete --------------------------------------------------------------------------------------------

def test_complete_moves_the_case_on(api):
    task = only_task(start(api))
    response = api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION})
    assert response.status_code == 200, response.get_json()
    case = response.get_json()
    assert case["status"] == "running"
    follow_up = only_task(case)
    assert (follow_up["element_id"], follow_up["role"]) == ("customer_follow_up", "cs_agent")
    done = api.as_("manager_sh001").get(f"/tasks/{task['id']}").get_json()
    assert (done["state"], done["completed_by"], done["may_act"]) == ("completed", "manager_sh001", False)
    closed = api.as_("cs_li").post(f"/tasks/{follow_up['id']}/complete",
                                   json={"data": {"customer_satisfied": True, "feedback": "满意"}})
    assert closed.status_code == 200
    assert (closed.get_json()["status"], closed.get_json()["open_tasks"]) == ("completed", [])


def test_complete_names_the_bad_fields_and_changes_nothing(api, deputy_sh001):
    task = only_task(start(api))
    bad = {**INVESTIGATION, "resolution_type": "cash", "compensation_amount": -5}
    del bad["findings"]
    body = error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": bad}), 422)
    assert set(body["fields"]) == {"findings", "resolution_type", "compensation_amount"}
    again = api.as_("manager_sh001").get(f"/tasks/{task['id']}").get_json()
    assert again["state"] == "open" and again["assignee"] is None  # a refused complete claims nothing


@pytest.mark.parametrize("payload", [{"data": "done"}, {"data": [INVESTIGATION]}])
def test_complete_with_data_that_is_not_an_object_is_400(api, payload):
    task = only_task(start(api))
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json=payload), 400)


def test_complete_with_malformed_json_is_400(api, client):
    task = only_task(start(api))
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", data="{data: }",
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {api.token('manager_sh001')}"})
    error(response, 400)


def test_completing_twice_is_409(api):
    task = only_task(start(api))
    assert api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete",
                                         json={"data": INVESTIGATION}).status_code == 200
    body = error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete",
                                               json={"data": INVESTIGATION}), 409)
    assert body["error"] == "conflict"
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim"), 409)


def test_complete_without_the_role_is_403_and_invisible_is_404(api):
    task = only_task(start(api))
    error(api.as_("cs_li").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}), 403)
    error(api.as_("supervisor_east").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}), 403)
    error(api.as_("manager_sh002").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}), 404)
    error(api.as_("franchisee_nj01").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}), 404)
    assert api.as_("manager_sh001").get(f"/tasks/{task['id']}").get_json()["state"] == "open"


def test_a_concurrent_update_is_409_and_changes_nothing(api, app, monkeypatch):
    """The engine's optimistic lock (engine tests race two sessions) surfaces as a 409."""
    from engine import ConcurrentUpdate
    task = only_task(start(api))
    engine = app.extensions["opsflow"]
    real_complete = engine.complete

    def complete_then_lose_the_race(*args, **kwargs):
        real_complete(*args, **kwargs)
        raise ConcurrentUpdate("case 1 was changed by someone else; reload and try again")

    monkeypatch.setattr(engine, "complete", complete_then_lose_the_race)
    body = error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}),
                 409)
    assert body["error"] == "concurrent_update"
    monkeypatch.undo()
    assert api.as_("manager_sh001").get(f"/tasks/{task['id']}").get_json()["state"] == "open"
