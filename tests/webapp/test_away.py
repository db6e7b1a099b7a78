"""代理 and 离职交接 from the browser's side and the API: /account/away, the admin user page's away and
handover sections, /api/v1/me/away, /api/v1/users/<id>/away and /handover; tasks marked 代理."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.models import HumanTask, User
from webapp.extensions import db

from .conftest import csrf_token

SHANGHAI = ZoneInfo("Asia/Shanghai")
COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好", "amount_claimed": 0}


def local(moment) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def week(app_clock, deputy="manager_sh002") -> dict[str, str]:
    return {"deputy": deputy, "starts_at": local(app_clock()),
            "ends_at": local(app_clock() + timedelta(days=7))}


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def complaint(api) -> dict:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["open_tasks"][0]


def bearer(api, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(username)}"}


def test_a_manager_sets_a_deputy_who_gets_her_new_tasks_marked_daili(app, client, auth, api, app_clock):
    auth.login("manager_sh001")
    html = client.get("/account/away").get_data(as_text=True)
    assert 'id="away-form"' in html and 'value="manager_sh002"' in html and 'value="cs_li"' not in html
    token = csrf_token(client, "/account/away")
    response = client.post("/account/away", data={**week(app_clock), "csrf_token": token})
    assert response.status_code == 303
    html = client.get("/account/away").get_data(as_text=True)
    assert 'data-holds-now="yes"' in html and "徐店长" in html
    task = complaint(api)
    assert task["assignee"] == "manager_sh002"
    detail = api.as_("manager_sh002").get(f"/tasks/{task['id']}").get_json()
    assert detail["on_behalf_of"] == "manager_sh001"
    [listed] = api.as_("manager_sh002").get("/tasks").get_json()["items"]
    assert listed["on_behalf_of"] == "manager_sh001"
    auth.logout()
    auth.login("manager_sh002")
    assert "代理 张店长" in client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    page = client.get("/tasks").get_data(as_text=True)
    assert "deputy-mark" in page and "代理 manager_sh001" in page
    assert 'id="standing-in"' in page and "代理 张店长" in page
    history = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "（代理 张店长）" in history
    auth.logout()
    auth.login("supervisor_east")  # the case page's open steps say it too
    assert "代理 张店长" in client.get(f"/cases/{task['instance_id']}").get_data(as_text=True)


def test_a_refused_away_form_says_why_and_the_period_can_be_ended(app, client, auth, app_clock):
    auth.login("manager_sh001")
    token = csrf_token(client, "/account/away")
    response = client.post("/account/away", data={**week(app_clock, "cs_li"), "csrf_token": token})
    assert response.status_code == 422
    assert "代理人须在你所在的区域担任你的角色" in response.get_data(as_text=True)
    bad_end = {**week(app_clock), "ends_at": local(app_clock() - timedelta(days=1))}
    response = client.post("/account/away", data={**bad_end, "csrf_token": token})
    assert response.status_code == 422 and "结束时间须在将来" in response.get_data(as_text=True)
    client.post("/account/away", data={**week(app_clock), "csrf_token": token})
    assert client.post("/account/away/clear", data={"csrf_token": token}).status_code == 303
    assert 'data-holds-now="no"' in client.get("/account/away").get_data(as_text=True)


def test_an_administrator_sets_it_and_hands_over_on_the_user_page(app, client, auth, api, app_clock):
    task = complaint(api)  # manager_sh001's: the one manager of SH001
    m1 = user_id(app, "manager_sh001")
    auth.login("admin")
    html = client.get(f"/admin/users/{m1}").get_data(as_text=True)
    assert 'id="handover-form"' in html and 'id="away-form"' in html
    token = csrf_token(client, f"/admin/users/{m1}")
    response = client.post(f"/admin/users/{m1}/away", data={**week(app_clock), "csrf_token": token})
    assert response.status_code == 303
    assert 'data-holds-now="yes"' in client.get(f"/admin/users/{m1}").get_data(as_text=True)
    response = client.post(f"/admin/users/{m1}/away", data={**week(app_clock, "nobody"), "csrf_token": token})
    assert response.status_code == 303  # refused: said in a message on the page
    assert "没有这个名字的在职用户" in client.get(f"/admin/users/{m1}").get_data(as_text=True)
    response = client.post(f"/admin/users/{m1}/handover", data={"to": "manager_sh003", "reason": "离职",
                                                                 "deactivate": "1", "csrf_token": token})
    assert response.status_code == 303
    html = client.get(f"/admin/users/{m1}").get_data(as_text=True)
    assert "1 项待办已交给 manager_sh003" in html and 'data-state="inactive"' in html
    with app.app_context():
        assert db.session.get(HumanTask, task["id"]).assignee.username == "manager_sh003"
        assert not db.session.get(User, m1).active


def test_only_administrators_set_it_for_others_or_hand_over(app, client, auth, app_clock):
    m2 = user_id(app, "manager_sh002")
    auth.login("manager_sh001")
    token = csrf_token(client, "/account/away")
    for path, data in ((f"/admin/users/{m2}/away", week(app_clock, "manager_sh003")),
                       (f"/admin/users/{m2}/handover", {"to": "manager_sh001", "reason": "x"})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403


def test_the_api_reads_sets_and_ends_my_away_period(app, client, api, app_clock):
    me = bearer(api, "manager_sh001")
    state = client.get("/api/v1/me/away", headers=me).get_json()
    assert state["away"] is None and {"username": "manager_sh002", "name": "徐店长"} in state["candidates"]
    end = (app_clock() + timedelta(days=3)).isoformat()
    setting = {"deputy": "manager_sh002", "starts_at": app_clock().isoformat(), "ends_at": end}
    response = client.put("/api/v1/me/away", headers=me, json=setting)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["deputy"], response.get_json()["holds_now"]) == ("manager_sh002", True)
    assert client.get("/api/v1/me/away", headers=me).get_json()["away"]["deputy"] == "manager_sh002"
    refused = client.put("/api/v1/me/away", headers=me, json={**setting, "deputy": "cs_li"})
    assert refused.status_code == 422 and refused.get_json()["fields"] == {
        "deputy": "代理人须在你所在的区域担任你的角色。"}
    bad = client.put("/api/v1/me/away", headers=me, json={**setting, "starts_at": "soon"})
    assert bad.status_code == 400
    assert client.delete("/api/v1/me/away", headers=me).get_json() == {"cleared": True}
    assert client.delete("/api/v1/me/away", headers=me).get_json() == {"cleared": False}


def test_the_api_for_others_is_for_administrators(app, client, api, app_clock):
    m1 = user_id(app, "manager_sh001")
    end = (app_clock() + timedelta(days=3)).isoformat()
    setting = {"deputy": "manager_sh002", "starts_at": app_clock().isoformat(), "ends_at": end}
    assert client.put(f"/api/v1/users/{m1}/away", headers=bearer(api, "manager_sh003"),
                      json=setting).status_code == 403
    response = client.put(f"/api/v1/users/{m1}/away", headers=bearer(api, "admin"), json=setting)
    assert response.status_code == 200 and response.get_json()["set_by"] == "admin"
    state = client.get(f"/api/v1/users/{m1}/away", headers=bearer(api, "admin")).get_json()
    assert state["away"]["username"] == "manager_sh001"
    assert client.get("/api/v1/users/999999/away", headers=bearer(api, "admin")).status_code == 404


def test_the_api_hands_over(app, client, api):
    task = complaint(api)
    m1 = user_id(app, "manager_sh001")
    refused = client.post(f"/api/v1/users/{m1}/handover", headers=bearer(api, "supervisor_east"),
                          json={"to": "manager_sh002", "reason": "离职"})
    assert refused.status_code == 403
    missing = client.post(f"/api/v1/users/{m1}/handover", headers=bearer(api, "admin"),
                          json={"to": "manager_sh002"})
    assert missing.status_code == 422 and "reason" in missing.get_json()["fields"]
    response = client.post(f"/api/v1/users/{m1}/handover", headers=bearer(api, "admin"),
                           json={"to": "manager_sh002", "reason": "离职", "deactivate": False})
    assert response.status_code == 200
    assert response.get_json() == {"username": "manager_sh001", "to": "manager_sh002",
                                   "task_ids": [task["id"]], "moved": 1, "cases": 1, "deactivated": False}
    assert [t["id"] for t in api.as_("manager_sh002").get("/tasks").get_json()["items"]] == [task["id"]]
    history = api.as_("manager_sh002").get(f"/tasks/{task['id']}").get_json()["history"]
    assert any(e["event_type"] == "task_transferred" and e["data"].get("handover") for e in history)
