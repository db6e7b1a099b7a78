"""Chinese by default, English on request and remembered per person; step names, form labels and
error messages follow; times in the person's time zone; the catalogues are complete."""
from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.pofile import read_po

from engine.models import User
from webapp.extensions import db

REPO = Path(__file__).resolve().parents[2]
CATALOGUES = REPO / "webapp" / "translations"


def token(client, path: str = "/tasks") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def complaint(api) -> dict:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "店员态度不好，等了很久没人理。", "amount_claimed": 0}})
    return response.get_json()


def switch(client, locale: str, back: str = "/tasks"):
    return client.post("/account/language",
                       data={"locale": locale, "next": back, "csrf_token": token(client)})


def test_chinese_by_default_english_by_switch_remembered_per_user(app, client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    html = client.get("/tasks").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "我的待办" in html and "投诉调查与处理方案" in html
    response = switch(client, "en", "/tasks")
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    html = client.get("/tasks").get_data(as_text=True)
    assert 'lang="en"' in html and "My tasks" in html and "Claimable" in html
    assert "Investigate and propose resolution (store)" in html  # the step's English name
    assert "Complaint handling" in html and "投诉调查与处理方案" not in html
    with app.app_context():
        assert db.session.query(User).filter_by(username="manager_sh001").one().locale == "en"
    auth.logout()
    assert "Log in" in client.get("/login").get_data(as_text=True)  # the login page keeps the language
    auth.login("manager_sh001")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Findings" in page and "Customer name" in page and "Service" in page  # form labels and choices
    auth.logout()
    auth.login("cs_wang")  # someone else is still in Chinese
    assert "我的待办" in client.get("/tasks").get_data(as_text=True)


def test_validation_errors_in_english(client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    switch(client, "en")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    html = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "action": "complete",
                                                   "compensation_amount": "-1"}).get_data(as_text=True)
    assert "This field is required." in html and "Enter 0 or more." in html
    assert "Please correct the marked fields:" in html


def test_unknown_language_is_refused(client, auth):
    auth.login("cs_li")
    switch(client, "fr")
    assert "不支持该语言" in client.get("/tasks").get_data(as_text=True)


def test_anonymous_switch_lives_in_the_session(client):
    switch_token = token(client, "/login")
    client.post("/account/language", data={"locale": "en", "next": "/login", "csrf_token": switch_token})
    assert "Log in to OpsFlow" in client.get("/login").get_data(as_text=True)


def test_times_follow_the_persons_time_zone(app, client, auth, api, app_clock):
    task_id = complaint(api)["open_tasks"][0]["id"]  # clock: 2026-11-02 01:00 UTC, due 24 h later
    auth.login("manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "2026/11/3 09:00" in html  # Asia/Shanghai, the default
    csrf = token(client, "/account")
    response = client.post("/account", data={"locale": "en", "timezone": "Europe/London", "csrf_token": csrf})
    assert response.status_code == 303
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "11/3/26, 1:00" in html
    bad = client.post("/account", data={"locale": "en", "timezone": "Mars/Base", "csrf_token": csrf})
    assert bad.status_code == 422


def _catalogue(locale: str):
    with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def test_every_interface_string_has_a_chinese_translation():
    missing = [m.id for m in _catalogue("zh_Hans_CN") if m.id and not m.string
               and re.search(r"[A-Za-z]", m.id if isinstance(m.id, str) else m.id[0])
               and not re.search(r"[\u4e00-\u9fff]", m.id if isinstance(m.id, str) else m.id[0])]
    assert missing == []


def test_every_form_title_has_an_english_translation():
    english = {m.id: m.string for m in _catalogue("en") if m.id}
    missing = set()
    for path in (REPO / "workflows" / "forms").glob("*/*.json"):
        def walk(node):
            if isinstance(node, dict):
                for key in ("title", "description"):
                    if isinstance(node.get(key), str) and not english.get(node[key]):
                        missing.add(f"{path.parent.name}/{path.name}: {node[key]}")
                for child in node.values():
                    walk(child)
            elif isinstance(node, list):
                for child in node:
                    walk(child)
        walk(json.loads(path.read_text("utf-8")))
    assert sorted(missing) == []


def test_the_api_documentation_page_follows_the_setting_not_the_browser(client, auth, api):
    """/api/docs is a page: the browser's Accept-Language (always sent) does not override the person's
    English; the JSON API under /api/v1 still answers in the language its client asks for."""
    auth.login("cs_li")
    switch(client, "en")
    html = client.get("/api/docs", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in html and "API documentation" in html
    data = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
            "channel": "store", "category": "service", "description": "长" * 2001, "amount_claimed": 0}
    refused = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": data},
                                    headers={"Accept-Language": "zh-CN"}).get_json()
    assert refused["fields"] == {"description": "最多 2000 个字符。"}
