"""The task page's moves around the form: a claimable task completed without a separate claim, 转交
with a colleague picker, 放回待认领, and the phone's bottom bar with Complete and a "more" menu."""
from __future__ import annotations

import re

from engine.models import AuditEvent, HumanTask
from webapp.extensions import db

GOOD = {"findings": "店员确实未及时接待", "root_cause": "午间人手不足", "resolution_type": "apology",
        "compensation_amount": "0", "resolution_plan": "电话致歉，调整排班"}


def token(client, path: str = "/tasks") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def complaint(api) -> int:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "店员态度不好，等了很久没人理。", "amount_claimed": 0}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["open_tasks"][0]["id"]


def holder(app, task_id: int) -> tuple[str, str | None]:
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        return task.state, task.assignee.username if task.assignee else None


def test_a_claimable_task_is_filled_in_and_completed_without_a_claim(app, client, auth, api, deputy_sh001):
    task_id = complaint(api)
    auth.login("manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="claim-button"' in html and 'id="claim-hint"' in html  # taking it first is still offered
    assert "<fieldset disabled>" not in html and 'name="findings"' in html  # but the form is open
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client, f"/tasks/{task_id}"),
                                                      "action": "complete", **GOOD})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert holder(app, task_id) == ("completed", "manager_sh001")


def test_the_holder_transfers_the_task_with_a_reason(app, client, auth, api, deputy_sh001):
    task_id = complaint(api)
    auth.login("manager_sh001")
    csrf = token(client, f"/tasks/{task_id}")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf})
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="move-transfer"' in html and 'id="transfer-to"' in html
    picker = re.search(r'id="transfer-to".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)">', picker)
    assert options == [deputy_sh001]  # the other SH001 manager; not herself, not SH002's
    assert "放回待认领" in html and ">退回<" not in html
    # no reason: refused, nothing changes
    response = client.post(f"/tasks/{task_id}/transfer", data={"csrf_token": csrf, "to": deputy_sh001})
    assert response.status_code == 303 and response.headers["Location"].endswith("#move-transfer")
    assert "请填写转交原因" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert holder(app, task_id) == ("open", "manager_sh001")
    response = client.post(f"/tasks/{task_id}/transfer", data={"csrf_token": csrf, "to": "manager_sh002",
                                                               "reason": "x"})
    assert holder(app, task_id) == ("open", "manager_sh001")
    response = client.post(f"/tasks/{task_id}/transfer", data={"csrf_token": csrf, "to": deputy_sh001,
                                                               "reason": "明天休假"})
    assert response.status_code == 303
    assert holder(app, task_id) == ("open", deputy_sh001)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "已将任务转交给" in page and "将“投诉调查与处理方案”转交给 王副店长" in page and "明天休假" in page
    assert 'id="move-transfer"' not in page  # no longer hers to hand on
    auth.logout()
    auth.login(deputy_sh001)
    todo = client.get("/tasks").get_data(as_text=True)
    assert f'data-task-id="{task_id}"' in todo and "待认领" not in todo
    with app.app_context():
        [event] = db.session.query(AuditEvent).filter_by(event_type="task_transferred").all()
        assert (event.message, event.data) == ("明天休假", {"from": "manager_sh001", "to": deputy_sh001})


def test_others_may_not_transfer(app, client, auth, api, deputy_sh001):
    task_id = complaint(api)
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client, f"/tasks/{task_id}")})
    auth.logout()
    auth.login(deputy_sh001)
    assert 'id="move-transfer"' not in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = client.post(f"/tasks/{task_id}/transfer",
                           data={"csrf_token": token(client), "to": deputy_sh001, "reason": "我来"})
    assert response.status_code == 403 and holder(app, task_id) == ("open", "manager_sh001")
    auth.logout()
    auth.login("manager_sh002")
    response = client.post(f"/tasks/{task_id}/transfer",
                           data={"csrf_token": token(client), "to": "manager_sh002", "reason": "x"})
    assert response.status_code == 404


def test_the_phone_bar_holds_complete_and_a_more_menu(client, auth, api):
    task_id = complaint(api)  # SH001's only manager holds it
    auth.login("manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    bar = re.search(r'<div class="task-bar d-md-none" id="task-bar".*?</ul>\s*</div>\s*</div>', html,
                    re.S).group(0)
    assert 'id="bar-complete"' in bar and 'form="task-form"' in bar and 'value="complete"' in bar
    assert 'id="bar-more"' in bar and 'id="bar-draft"' in bar and 'id="bar-release"' in bar
    assert 'id="bar-transfer"' in bar and 'data-open-move="move-transfer"' in bar
    assert not re.search(r"<script>(?!\s*</script>)", html)  # no inline script (CSP)
