"""会签 on the web: a store-opening plan above 1,000,000 goes to the director and to finance, each
finds their own task in their list, decides on their own page, and cannot decide for the other."""
from __future__ import annotations

import re

OPENING = {"store_code": "SH003", "store_name": "上海静安寺店", "city": "上海",
           "address": "上海市静安区南京西路1788号1层", "area_sqm": 180, "store_type": "direct",
           "planned_opening_date": "2026-12-18", "budget": 1_500_000}


def task_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-task-id="(\d+)"', html)]


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def start_opening(api) -> dict:
    response = api.as_("supervisor_east").post("/processes/store_opening/instances", json={"data": OPENING})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_each_approver_finds_their_own_task_and_decides_it(client, auth, api):
    case = start_opening(api)
    rows = {t["assignee"]: t for t in case["open_tasks"]}
    assert set(rows) == {"director", "finance_wu"}
    assert {t["element_id"] for t in rows.values()} == {"plan_countersign"}
    assert (rows["director"]["role"], rows["finance_wu"]["role"]) == ("ops_director", "finance")
    director, finance = rows["director"]["id"], rows["finance_wu"]["id"]

    for user, own in (("director", director), ("finance_wu", finance)):
        listed = api.as_(user).get("/tasks?scope=mine").get_json()
        assert [t["id"] for t in listed["items"]] == [own], user
        auth.login(user)
        assert task_ids(client.get("/tasks").get_data(as_text=True)) == [own]
        auth.logout()
    assert api.as_("supervisor_east").get("/tasks?scope=all").get_json()["items"] == []

    auth.login("finance_wu")
    page = client.get(f"/tasks/{finance}").get_data(as_text=True)
    assert "开业方案会签" in page and "审批结果" in page and "1,500,000" in page
    refused = api.as_("finance_wu").post(f"/tasks/{director}/complete",
                                         json={"data": {"countersign_approved": True}})
    assert refused.status_code == 403
    response = client.post(f"/tasks/{finance}", data={
        "csrf_token": token(client, f"/tasks/{finance}"), "countersign_approved": "true",
        "countersign_comment": "预算在年度计划内"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    auth.logout()

    done = api.as_("director").post(f"/tasks/{director}/complete",
                                    json={"data": {"countersign_approved": True}})
    assert done.status_code == 200, done.get_json()
    assert "plan_countersign" not in {t["element_id"] for t in done.get_json()["open_tasks"]}
    assert "staff_training" in {t["element_id"] for t in done.get_json()["open_tasks"]}
