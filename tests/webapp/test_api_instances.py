"""JSON API: monitoring cases (list and detail), comments, and the supervisors' case actions."""
from __future__ import annotations

import pytest

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
             "amount_claimed": 0}
INVESTIGATION = {"findings": "店员未按流程收银", "root_cause": "新员工培训不足", "resolution_type": "apology",
                 "compensation_amount": 0, "resolution_plan": "店长致电致歉并赠送优惠券"}
INSTANCE_KEYS = {"id", "process_key", "version", "status", "business_key", "title", "started_by",
                 "started_at", "open_tasks"}


def start(api, user: str = "cs_li", **changes) -> dict:
    response = api.as_(user).post("/processes/complaint_handling/instances",
                                  json={"data": {**COMPLAINT, **changes}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def cases(api, user: str, query: str = "") -> dict:
    response = api.as_(user).get(f"/process-instances{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    return body


def ids(body: dict) -> set[int]:
    return {c["id"] for c in body["items"]}


def error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"}
    return body


# -- list ------------------------------------------------------------------------------------------------

def test_who_sees_which_case(api):
    sh001, sh002 = start(api)["id"], start(api, store_code="SH002")["id"]
    nj01 = start(api, "franchisee_nj01", store_code="NJ01", channel="franchisee")["id"]
    assert ids(cases(api, "manager_sh001")) == {sh001}
    assert ids(cases(api, "manager_sh002")) == {sh002}
    assert ids(cases(api, "franchisee_nj01")) == {nj01}
    assert ids(cases(api, "cs_li")) == {sh001, sh002}                 # the ones cs_li started
    assert ids(cases(api, "cs_wang")) == set()
    for overseer in ("director", "supervisor_east", "cs_manager"):
        assert ids(cases(api, overseer)) == {sh001, sh002, nj01}
    assert ids(cases(api, "merch_zhao")) == set()
    [item] = cases(api, "manager_sh001")["items"]
    assert INSTANCE_KEYS <= set(item)
    assert (item["status"], item["started_by"], item["version"]) == ("running", "cs_li", 1)
    assert [t["element_id"] for t in item["open_tasks"]] == ["investigate_store"]


def test_filters_and_paging(api):
    first, second = start(api)["id"], start(api)["id"]
    third = start(api)["id"]
    api.as_("director").post(f"/process-instances/{first}/terminate", json={"reason": "重复登记"})
    assert ids(cases(api, "director", "?status=running")) == {second, third}
    assert ids(cases(api, "director", "?status=terminated")) == {first}
    assert ids(cases(api, "director", "?process=complaint_handling")) == {first, second, third}
    assert cases(api, "director", "?process=product_return")["total"] == 0
    page = cases(api, "director", "?per_page=2&page=2")
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    # newest first
    assert [c["id"] for c in cases(api, "director", "?per_page=2")["items"]] == [third, second]


@pytest.mark.parametrize("query, status, field", [
    ("?status=open", 422, "status"), ("?per_page=0", 422, "per_page"), ("?per_page=500", 422, "per_page"),
    ("?page=0", 422, "page"), ("?page=x", 400, "page"),
])
def test_bad_list_parameters(api, query, status, field):
    body = error(api.as_("director").get(f"/process-instances{query}"), status)
    assert field in body["fields"]


# -- detail ---------------------------------------------------------------------------------------------

def test_detail_has_data_and_events(api):
    case = start(api)
    task = case["open_tasks"][0]
    api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION})
    response = api.as_("cs_li").get(f"/process-instances/{case['id']}")
    assert response.status_code == 200
    body = response.get_json()
    assert INSTANCE_KEYS <= set(body) and {"data", "events"} <= set(body)
    assert body["data"]["customer_name"] == "王女士" and body["data"]["severity"] == "minor"
    assert body["data"]["findings"] == INVESTIGATION["findings"]
    kinds = [e["event_type"] for e in body["events"]]
    assert kinds[0] == "started" and "task_completed" in kinds
    started = body["events"][0]
    assert (started["actor"], started["at"]) == ("cs_li", "2026-11-02T01:00:00+00:00")
    completed = next(e for e in body["events"] if e["event_type"] == "task_completed")
    assert completed["actor"] == "manager_sh001"
    assert completed["data"]["findings"] == INVESTIGATION["findings"]
    assert [t["element_id"] for t in body["open_tasks"]] == ["customer_follow_up"]


@pytest.mark.parametrize("user", ["manager_sh002", "franchisee_nj01", "cs_wang", "merch_zhao"])
def test_an_invisible_case_is_404(api, user):
    case = start(api)
    error(api.as_(user).get(f"/process-instances/{case['id']}"), 404)
    error(api.as_("director").get("/process-instances/9999"), 404)


# -- comments -------------------------------------------------------------------------------------------

def test_comments(api):
    case = start(api)
    response = api.as_("manager_sh001").post(f"/process-instances/{case['id']}/comments",
                                             json={"body": "已联系顾客，约明天到店"})
    assert response.status_code == 201
    comment = response.get_json()
    assert (comment["author"], comment["body"]) == ("manager_sh001", "已联系顾客，约明天到店")
    detail = api.as_("cs_li").get(f"/process-instances/{case['id']}").get_json()
    assert [(c["author"], c["body"]) for c in detail["comments"]] == [
        ("manager_sh001", "已联系顾客，约明天到店")]
    assert any(e["event_type"] == "comment" and e["actor"] == "manager_sh001" for e in detail["events"])


@pytest.mark.parametrize("payload, status", [({}, 422), ({"body": "   "}, 422), ({"body": "x" * 4001}, 422),
                                             ({"body": 42}, 400), ({"body": ["hi"]}, 400)])
def test_comment_refusals(api, payload, status):
    case = start(api)
    body = error(api.as_("cs_li").post(f"/process-instances/{case['id']}/comments", json=payload), status)
    assert "body" in body["fields"]


def test_commenting_on_an_invisible_case_is_404(api):
    case = start(api)
    error(api.as_("manager_sh002").post(f"/process-instances/{case['id']}/comments",
                                        json={"body": "看看"}), 404)


# -- terminate, suspend, resume ---------------------------------------------------------------------------

def test_terminate(api):
    case = start(api)
    task = case["open_tasks"][0]
    response = api.as_("supervisor_east").post(f"/process-instances/{case['id']}/terminate",
                                               json={"reason": "顾客撤回投诉"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["open_tasks"]) == ("terminated", [])
    error(api.as_("director").post(f"/process-instances/{case['id']}/terminate",
                                   json={"reason": "again"}), 409)
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}), 409)
    assert api.as_("manager_sh001").get("/tasks").get_json()["total"] == 0
    events = api.as_("director").get(f"/process-instances/{case['id']}").get_json()["events"]
    terminated = [e for e in events if e["event_type"] == "terminated"]
    assert [(e["actor"], e["message"]) for e in terminated] == [("supervisor_east", "顾客撤回投诉")]


def test_suspend_and_resume(api):
    case = start(api)
    task = case["open_tasks"][0]
    suspended = api.as_("cs_manager").post(f"/process-instances/{case['id']}/suspend",
                                           json={"reason": "待核实"})
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    error(api.as_("cs_manager").post(f"/process-instances/{case['id']}/suspend",
                                     json={"reason": "再次"}), 409)
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/claim"), 409)
    error(api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION}), 409)
    resumed = api.as_("cs_manager").post(f"/process-instances/{case['id']}/resume", json={"reason": "已核实"})
    assert resumed.status_code == 200 and resumed.get_json()["status"] == "running"
    assert [t["id"] for t in resumed.get_json()["open_tasks"]] == [task["id"]]
    error(api.as_("cs_manager").post(f"/process-instances/{case['id']}/resume", json={"reason": "再次"}), 409)
    done = api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION})
    assert done.status_code == 200


@pytest.mark.parametrize("action", ["terminate", "suspend", "resume"])
@pytest.mark.parametrize("payload, status", [({}, 422), ({"reason": "  "}, 422), ({"reason": 3}, 400)])
def test_case_actions_need_a_reason(api, action, payload, status):
    case = start(api)
    body = error(api.as_("director").post(f"/process-instances/{case['id']}/{action}", json=payload), status)
    assert "reason" in body["fields"]
    assert api.as_("director").get(f"/process-instances/{case['id']}").get_json()["status"] == "running"


@pytest.mark.parametrize("action", ["terminate", "suspend", "resume"])
def test_case_actions_are_for_supervisors(api, action):
    case = start(api)
    for user in ("cs_li", "manager_sh001"):   # they see the case, but do not oversee it
        error(api.as_(user).post(f"/process-instances/{case['id']}/{action}", json={"reason": "想停"}), 403)
    error(api.as_("manager_sh002").post(f"/process-instances/{case['id']}/{action}",
                                        json={"reason": "x"}), 404)
    error(api.as_("director").post(f"/process-instances/9999/{action}", json={"reason": "x"}), 404)
    assert api.as_("director").get(f"/process-instances/{case['id']}").get_json()["status"] == "running"


def test_the_case_list_takes_the_supervisor_filters(client, api):
    director = api.as_("director")
    start(api)
    everything = director.get("/process-instances").get_json()["total"]
    assert everything >= 1
    east = director.get("/process-instances?region=EAST&started_by=cs_li&version=1").get_json()
    assert east["total"] == everything and all(i["started_by"] == "cs_li" for i in east["items"])
    assert director.get("/process-instances?region=NORTH").get_json()["total"] == 0
    assert director.get("/process-instances?started_from=2099-01-01").get_json()["total"] == 0
    bad = director.get("/process-instances?started_from=yesterday")
    assert bad.status_code == 400 and "started_from" in bad.get_json()["fields"]
