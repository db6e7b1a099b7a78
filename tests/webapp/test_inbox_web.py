"""The inbox page and the bell: what I was told, opening an entry (marks it read, goes to the step or
case), mark one / all read, only my own; Chinese and English."""
from __future__ import annotations

import re

from .conftest import csrf_token
from .test_api_instances import start


def _post(client, path, **form):
    return client.post(path, data={"csrf_token": csrf_token(client, "/tasks"), **form})


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _bell(html):
    return [int(n) for n in re.findall(r'data-count="inbox">(\d+)<', html)]


def _cc(api, case, *people):
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": list(people),
                                                                       "note": "请关注顾客反馈"})


def test_the_bell_counts_unread_and_opening_an_entry_marks_it_read(client, auth, api):
    case = start(api)
    _cc(api, case, "merch_zhao")
    auth.login("merch_zhao")
    assert _bell(_page(client, "/tasks")) == [1, 1]  # phone and desktop
    html = _page(client, "/inbox")
    assert "消息通知" in html and "抄送给你" in html and "请关注顾客反馈" in html and case["title"] in html
    [entry] = re.findall(r'data-notification-id="(\d+)"', html)
    assert 'data-unread="true"' in html
    response = _post(client, f"/inbox/{entry}/open")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case['id']}")
    html = _page(client, "/inbox")
    assert 'data-unread="false"' in html and _bell(html) == [0, 0]
    assert 'id="no-notifications"' in _page(client, "/inbox?unread=1")
    auth.logout()
    auth.login("cs_li")  # not hers
    assert _post(client, f"/inbox/{entry}/open").status_code == 404
    assert _post(client, f"/inbox/{entry}/read").status_code == 404


def test_mark_one_and_all_read_and_english(client, auth, api):
    for _ in range(3):
        _cc(api, start(api), "merch_zhao")
    auth.login("merch_zhao")
    entries = re.findall(r'data-notification-id="(\d+)"', _page(client, "/inbox"))
    assert len(entries) == 3
    assert _post(client, f"/inbox/{entries[0]}/read", next="/inbox?unread=1").status_code == 303
    assert _bell(_page(client, "/tasks")) == [2, 2]
    response = _post(client, "/inbox/read-all", next="//evil.example")
    assert response.status_code == 303 and response.headers["Location"].endswith("/inbox")
    assert _bell(_page(client, "/tasks")) == [0, 0]
    client.post("/account/language", data={"locale": "en", "next": "/inbox",
                                           "csrf_token": csrf_token(client, "/tasks")})
    html = _page(client, "/inbox")
    assert "Notifications" in html and "cc’d you on this case" in html


def test_a_step_assigned_to_me_links_to_the_task(client, auth, api):
    case = start(api)  # the store's one manager gets the investigation by rule
    task_id = case["open_tasks"][0]["id"]
    api.as_("cs_li").post(f"/tasks/{task_id}/urge", json={"note": "顾客在等"})
    auth.login("manager_sh001")
    html = _page(client, "/inbox")
    assert re.findall(r'data-kind="(\w+)"', html) == ["urged", "assigned"]
    assert "催办「投诉调查与处理方案」" in html and "顾客在等" in html
    entry = re.findall(r'data-notification-id="(\d+)"', html)[1]
    response = _post(client, f"/inbox/{entry}/open")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{task_id}")
