"""The task page's 退回: the move with its target picker, the reopened step with the reason on top and
the earlier entries in its form, the timeline entry, and what is refused."""
from __future__ import annotations

import html as html_lib

from .test_api_tasks import INVESTIGATION
from .test_tasks_page import complaint, state_of, token


def _at_follow_up(api) -> tuple[int, int]:
    investigation = complaint(api)["open_tasks"][0]["id"]
    case = api.as_("manager_sh001").post(f"/tasks/{investigation}/complete",
                                         json={"data": INVESTIGATION}).get_json()
    return investigation, case["open_tasks"][0]["id"]


def test_send_back_from_the_task_page(app, client, auth, api):
    _, follow_up = _at_follow_up(api)
    auth.login("cs_wang")
    page = client.get(f"/tasks/{follow_up}").get_data(as_text=True)
    assert 'id="move-send_back"' in page and f'action="/tasks/{follow_up}/send-back"' in page
    assert '<option value="investigate_store">' in page and "退回到" in page

    response = client.post(f"/tasks/{follow_up}/send-back", data={
        "csrf_token": token(client, f"/tasks/{follow_up}"), "to": "investigate_store",
        "reason": "客户不接受，请重新提出方案"})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    assert "已退回" in client.get("/tasks").get_data(as_text=True)
    assert state_of(app, follow_up) == ("cancelled", None)

    [reopened] = api.as_("manager_sh001").get("/tasks?scope=mine").get_json()["items"]
    auth.logout()
    auth.login("manager_sh001")
    page = html_lib.unescape(client.get(f"/tasks/{reopened['id']}").get_data(as_text=True))
    assert 'id="send-back-notice"' in page and "客户不接受，请重新提出方案" in page
    assert INVESTIGATION["findings"] in page  # the earlier entries fill the form again
    assert "王客服 将申请从“客户回访”退回到“投诉调查与处理方案”" in page  # the timeline
    assert 'id="move-send_back"' not in page  # no earlier step of people before the investigation


def test_refusals_come_back_to_the_page(app, client, auth, api):
    _, follow_up = _at_follow_up(api)
    auth.login("cs_wang")
    csrf = token(client, f"/tasks/{follow_up}")
    url = f"/tasks/{follow_up}/send-back"
    no_reason = client.post(url, data={"csrf_token": csrf, "to": "investigate_store", "reason": " "})
    assert no_reason.status_code == 303 and no_reason.headers["Location"].endswith("#move-send_back")
    assert "请填写退回原因" in client.get(f"/tasks/{follow_up}").get_data(as_text=True)
    bad = client.post(url, data={"csrf_token": csrf, "to": "triage", "reason": "x"})
    assert bad.status_code == 303
    assert "不能退回到该步骤" in client.get(f"/tasks/{follow_up}").get_data(as_text=True)
    assert state_of(app, follow_up) == ("open", None)
    auth.logout()

    auth.login("supervisor_east")  # sees the case, does not do the follow-up
    page = client.get(f"/tasks/{follow_up}").get_data(as_text=True)
    assert 'id="move-send_back"' not in page
    refused = client.post(f"/tasks/{follow_up}/send-back", data={
        "csrf_token": token(client, f"/tasks/{follow_up}"), "to": "investigate_store", "reason": "x"})
    assert refused.status_code == 303
    assert state_of(app, follow_up) == ("open", None)
    auth.logout()
    auth.login("manager_sh002")  # may not see it at all
    assert client.post(f"/tasks/{follow_up}/send-back", data={
        "csrf_token": token(client), "to": "investigate_store", "reason": "x"}).status_code == 404
