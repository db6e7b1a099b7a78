"""The web side of 撤回, 抄送 and 催办: the case page offers exactly what the person may do, the
forms work and refuse with a message, the cc list marks unread cases, the task list marks urges."""
from __future__ import annotations

from .conftest import csrf_token
from .test_api_instances import start


def _post(client, path, **form):
    return client.post(path, data={"csrf_token": csrf_token(client, "/tasks"), **form})


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_starter_withdraws_from_the_case_page(client, auth, api):
    case = start(api)
    auth.login("director")
    html = _page(client, f"/cases/{case['id']}")
    assert 'id="move-withdraw"' not in html and 'id="move-cc"' in html  # supervisors cc, do not withdraw
    assert f'id="urge-{case["open_tasks"][0]["id"]}"' in html
    response = _post(client, f"/cases/{case['id']}/withdraw", reason="x")
    assert response.status_code == 403
    auth.logout()
    auth.login("cs_li")
    html = _page(client, f"/cases/{case['id']}")
    assert 'id="move-withdraw"' in html
    response = _post(client, f"/cases/{case['id']}/withdraw", reason=" ")
    assert response.status_code == 303
    assert "请填写原因" in _page(client, f"/cases/{case['id']}")
    response = _post(client, f"/cases/{case['id']}/withdraw", reason="顾客撤诉")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case['id']}")
    html = _page(client, f"/cases/{case['id']}")
    assert 'id="withdrawn-notice"' in html and "顾客撤诉" in html and 'data-status="withdrawn"' in html
    assert 'id="move-withdraw"' not in html and f'id="urge-{case["open_tasks"][0]["id"]}"' not in html
    assert 'data-event="withdrawn"' in html
    # a second try (another tab) is told, not crashed
    response = _post(client, f"/cases/{case['id']}/withdraw", reason="again")
    assert response.status_code == 303
    assert "未撤回" in _page(client, f"/cases/{case['id']}")
    # the case list filters by the new status
    assert f'href="/cases/{case["id"]}"' in _page(client, "/cases?status=withdrawn")


def test_withdraw_from_my_cases(client, auth, api):
    case = start(api)
    auth.login("cs_li")
    html = _page(client, "/outcomes")
    assert f'id="withdraw-{case["id"]}"' in html
    response = _post(client, f"/cases/{case['id']}/withdraw", reason="不需要了", next="/outcomes")
    assert response.status_code == 303 and response.headers["Location"].endswith("/outcomes")
    html = _page(client, "/outcomes")
    assert f'id="withdraw-{case["id"]}"' not in html and "已撤回" in html
    assert api.as_("cs_li").get(f"/process-instances/{case['id']}").get_json()["status"] == "withdrawn"


def test_cc_by_hand_then_the_cc_list_and_unread_badge(client, auth, api):
    case = start(api)
    auth.login("cs_li")
    response = _post(client, f"/cases/{case['id']}/cc", usernames=["merch_zhao"], note="请关注顾客反馈")
    assert response.status_code == 303
    response = _post(client, f"/cases/{case['id']}/cc")  # nobody chosen: a message, nothing done
    assert response.status_code == 303
    assert "请至少选择一位同事" in _page(client, f"/cases/{case['id']}")
    auth.logout()
    auth.login("merch_zhao")
    html = _page(client, "/cc")
    assert 'data-count="cc"' in html and 'data-unread="true"' in html and "请关注顾客反馈" in html
    assert "抄送我的" in html and "来自" in html
    html = _page(client, f"/cases/{case['id']}")
    assert 'id="move-cc"' not in html and 'id="move-withdraw"' not in html  # read-only
    html = _page(client, "/cc")
    assert 'data-count="cc"' not in html and 'data-unread="false"' in html
    assert 'id="no-cc"' in _page(client, "/cc?unread=1")
    # the task page of that case: visible, nothing to do but read and comment
    html = _page(client, f"/tasks/{case['open_tasks'][0]['id']}")
    assert 'id="move-cc"' not in html and 'id="move-urge"' not in html and 'id="claim-button"' not in html


def test_urge_from_the_case_page_and_the_mark_in_the_holders_list(client, auth, api, app_clock):
    case = start(api)
    task_id = case["open_tasks"][0]["id"]
    auth.login("cs_li")
    html = _page(client, f"/tasks/{task_id}")
    assert 'id="move-urge"' in html and 'id="move-cc"' in html
    response = _post(client, f"/cases/{case['id']}/tasks/{task_id}/urge", note="顾客在等",
                     next=f"/tasks/{task_id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{task_id}")
    response = _post(client, f"/cases/{case['id']}/tasks/{task_id}/urge", note="again")
    assert response.status_code == 303
    html = _page(client, f"/cases/{case['id']}")
    assert 'data-urged="1"' in html and 'data-event="task_urged"' in html and "顾客在等" in html
    assert "60 分钟后可再次催办" in html and "催办 ×1" in html
    app_clock.advance(hours=1)
    _post(client, f"/cases/{case['id']}/tasks/{task_id}/urge")
    auth.logout()
    auth.login("manager_sh001")
    assert 'data-urged="2"' in _page(client, "/tasks")  # in her 待办: SH001's only manager holds it
    html = _page(client, f"/tasks/{task_id}")
    assert 'data-urged="2"' in html and 'id="move-urge"' not in html
    response = _post(client, f"/cases/{case['id']}/tasks/{task_id}/urge")
    assert response.status_code == 403
