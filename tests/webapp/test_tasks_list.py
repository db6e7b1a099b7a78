"""我的待办: who sees which task, the tabs (待办, mine, claimable) and their counts, filters, search,
sorting, paging, saved filters, bulk claim and the polling endpoint behind live refresh."""
from __future__ import annotations

import re

from engine.models import SavedFilter
from webapp.extensions import db


def token(client, path: str = "/tasks") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def complaint(api, store="SH001", category="service", name="王女士", amount=0, user="cs_li") -> dict:
    response = api.as_(user).post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": name, "customer_phone": "13812345678", "store_code": store, "channel": "store",
        "category": category, "description": "店员态度不好，等了很久没人理。", "amount_claimed": amount}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def task_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-task-id="(\d+)"', html)]


def test_a_complaint_reaches_the_only_store_manager_directly(client, auth, api):
    """The issue's first complaint: SH001's only manager opened 我的待办 and found nothing, the task
    sat in the pool. Now it is hers at once, in 待办 (the default view) and in the badge."""
    case = complaint(api, store="SH001")
    [task] = case["open_tasks"]
    assert (task["assignee"], task["claimable"]) == ("manager_sh001", False)
    auth.login("manager_sh001")
    html = client.get("/tasks").get_data(as_text=True)
    assert task_ids(html) == [task["id"]]
    assert "投诉调查与处理方案" in html and case["business_key"] in html and "客户投诉处理" in html
    assert re.search(r'id="count-todo">1<', html)
    assert re.search(r'data-count="todo"[^>]*>(<span[^>]*>[^<]*</span>)?1<', html)  # the header badge
    assert "待认领" not in html  # hers, not one to claim
    row = re.search(r'<tr data-task-id="%d".*?</tr>' % task["id"], html, re.S).group(0)
    assert re.findall(r'data-label="([^"]+)"', row) == ["案件", "门店", "已等待", "截止"]  # a card's labels
    assert '<span title="上海南京路店">SH001</span>' in row
    assert task_ids(client.get("/tasks?scope=mine").get_data(as_text=True)) == [task["id"]]
    assert task_ids(client.get("/tasks?scope=claimable").get_data(as_text=True)) == []
    auth.logout()
    for other in ("manager_sh002", "cs_wang", "merch_zhao", "franchisee_nj01"):
        auth.login(other)
        assert task_ids(client.get("/tasks?scope=claimable").get_data(as_text=True)) == [], other
        auth.logout()


def test_tabs_counts_and_the_poll_endpoint(client, auth, api, deputy_sh001):
    auth.login("manager_sh001")
    before = client.get("/tasks/poll").get_json()
    assert before["mine"] == 0 and before["claimable"] == 0 and before["todo"] == 0
    case = complaint(api)
    after = client.get("/tasks/poll").get_json()
    assert (after["claimable"], after["todo"]) == (1, 1) and after["stamp"] != before["stamp"]
    task_id = case["open_tasks"][0]["id"]
    todo = client.get("/tasks").get_data(as_text=True)  # 待办 shows the claimable one, marked
    assert task_ids(todo) == [task_id] and "待认领" in todo and re.search(r'id="count-todo">1<', todo)
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    claimed = client.get("/tasks/poll").get_json()
    assert (claimed["mine"], claimed["claimable"], claimed["todo"]) == (1, 0, 1)
    assert task_ids(client.get("/tasks?scope=mine").get_data(as_text=True)) == [task_id]
    fragment = client.get("/tasks?fragment=1").get_data(as_text=True)
    assert "<html" not in fragment and f'data-task-id="{task_id}"' in fragment


def test_filters_search_and_sorting(client, auth, api, app_clock, deputy_sh001):
    a = complaint(api, store="SH001", name="甲")
    app_clock.advance(hours=30)  # the first one is now overdue (due in 24 h); cs_li's token has expired
    b = complaint(api, store="SH001", name="乙", user="cs_wang")
    merch = complaint(api, store="SH002", category="product_quality", name="丙", user="cs_wang")
    auth.login("manager_sh001")
    ids_a, ids_b = a["open_tasks"][0]["id"], b["open_tasks"][0]["id"]
    assert task_ids(client.get("/tasks?scope=claimable").get_data(as_text=True)) == [ids_a, ids_b]
    overdue = client.get("/tasks?scope=claimable&due=overdue").get_data(as_text=True)
    assert task_ids(overdue) == [ids_a] and "已超期" in overdue
    assert task_ids(client.get("/tasks?scope=claimable&due=today").get_data(as_text=True)) == [ids_a]
    by_key = client.get(f"/tasks?scope=claimable&q={b['business_key']}").get_data(as_text=True)
    assert task_ids(by_key) == [ids_b]
    assert task_ids(client.get("/tasks?scope=claimable&q=乙").get_data(as_text=True)) == [ids_b]
    assert task_ids(client.get("/tasks?scope=claimable&store=SH002").get_data(as_text=True)) == []
    assert task_ids(client.get("/tasks?scope=claimable&process=store_opening").get_data(as_text=True)) == []
    assert task_ids(client.get("/tasks?scope=claimable&sort=age").get_data(as_text=True)) == [ids_a, ids_b]
    # nonsense parameters fall back to the defaults instead of failing
    assert client.get("/tasks?scope=evil&sort=drop&page=-3&due=x").status_code == 200
    auth.logout()
    auth.login("merch_zhao")
    html = client.get("/tasks?process=complaint_handling&store=SH002").get_data(as_text=True)  # his alone
    assert len(task_ids(html)) == 2 and set(task_ids(html)) >= {merch["open_tasks"][0]["id"]}


def test_paging(client, auth, api, deputy_sh001):
    for i in range(22):
        complaint(api, name=f"客户{i}")
    auth.login("manager_sh001")
    first = client.get("/tasks?scope=claimable").get_data(as_text=True)
    assert len(task_ids(first)) == 20 and "共 22 个任务" in first
    assert 'aria-label="分页"' in first
    second = client.get("/tasks?scope=claimable&page=2").get_data(as_text=True)
    assert len(task_ids(second)) == 2 and not set(task_ids(first)) & set(task_ids(second))
    assert client.get("/tasks?scope=claimable&page=9").status_code == 302  # past the end: the last page


def test_bulk_claim(client, auth, api, deputy_sh001):
    ids = [complaint(api, name=n)["open_tasks"][0]["id"] for n in ("甲", "乙", "丙")]
    auth.login("manager_sh001")
    html = client.get("/tasks?scope=claimable").get_data(as_text=True)
    assert "data-select-all" in html and 'name="task_id"' in html
    csrf = token(client, "/tasks?scope=claimable")
    assert client.post("/tasks/claim", data={"task_id": ids[:2]}).status_code == 400  # no CSRF token
    response = client.post("/tasks/claim", data={"task_id": [*ids[:2], 99999], "csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks")
    page = client.get("/tasks?scope=mine").get_data(as_text=True)
    assert task_ids(page) == ids[:2]
    assert "已认领 2 个任务" in page and "1 个任务未能认领" in page
    assert task_ids(client.get("/tasks?scope=claimable").get_data(as_text=True)) == [ids[2]]


def test_bulk_claim_cannot_take_other_peoples_tasks(client, auth, api, deputy_sh001):
    task_id = complaint(api, store="SH001")["open_tasks"][0]["id"]
    auth.login("manager_sh002")
    client.post("/tasks/claim", data={"task_id": [task_id], "csrf_token": token(client)})
    assert task_ids(client.get("/tasks").get_data(as_text=True)) == []
    auth.logout()
    auth.login("manager_sh001")
    assert task_ids(client.get("/tasks?scope=claimable").get_data(as_text=True)) == [task_id]


def test_saved_filters_belong_to_their_owner(app, client, auth, api):
    complaint(api)
    auth.login("manager_sh001")
    csrf = token(client)
    response = client.post("/tasks/filters", data={"name": "我的超期", "scope": "claimable", "due": "overdue",
                                                   "sort": "age", "csrf_token": csrf})
    assert response.status_code == 302
    html = client.get("/tasks").get_data(as_text=True)
    assert "我的超期" in html
    link = re.search(r'href="(/tasks\?[^"]*)">我的超期<', html).group(1)
    assert "due=overdue" in link and "scope=claimable" in link and "sort=age" in link
    assert client.post("/tasks/filters", data={"name": " ", "csrf_token": csrf}).status_code == 302
    assert "请为筛选条件命名" in client.get("/tasks").get_data(as_text=True)
    with app.app_context():
        filter_id = db.session.query(SavedFilter).one().id
    auth.logout()
    auth.login("manager_sh002")
    assert "我的超期" not in client.get("/tasks").get_data(as_text=True)
    delete = f"/tasks/filters/{filter_id}/delete"
    assert client.post(delete, data={"csrf_token": token(client)}).status_code == 404
    auth.logout()
    auth.login("manager_sh001")
    assert client.post(delete, data={"csrf_token": token(client)}).status_code == 302
    assert "我的超期" not in client.get("/tasks").get_data(as_text=True)


def test_my_cases_shows_running_cases_and_outcomes(client, auth, api):
    case = complaint(api)
    auth.login("cs_li")
    html = client.get("/outcomes").get_data(as_text=True)
    assert case["business_key"] in html and "投诉调查与处理方案" in html and "进行中" in html
    auth.logout()
    auth.login("cs_wang")
    assert case["business_key"] not in client.get("/outcomes").get_data(as_text=True)
