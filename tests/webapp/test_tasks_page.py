"""The task page: who may open it, claim and release, server-side validation beside each field,
drafts, completing and where the case goes next, comments."""
from __future__ import annotations

import re

from engine.models import HumanTask
from webapp.extensions import db

GOOD = {"findings": "店员确实未及时接待", "root_cause": "午间人手不足", "resolution_type": "apology",
        "compensation_amount": "0", "resolution_plan": "电话致歉，调整排班"}


def token(client, path: str = "/tasks") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def complaint(api, store="SH001", amount=0) -> dict:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": store, "channel": "store",
        "category": "service", "description": "店员态度不好，等了很久没人理。", "amount_claimed": amount}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def errors(html: str) -> dict[str, str]:
    """Input id → the message shown beside it."""
    return {m[0]: m[1].strip() for m in re.findall(
        r'class="invalid-feedback d-block" id="([^"]+)-error"><i[^>]*></i>([^<]+)<', html)}


def state_of(app, task_id: int) -> tuple[str, str | None]:
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        return task.state, task.assignee.username if task.assignee else None


def test_only_people_who_may_see_a_task_can_open_it(client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    for outsider in ("manager_sh002", "cs_wang", "merch_zhao"):
        auth.login(outsider)
        response = client.get(f"/tasks/{task_id}")
        assert response.status_code == 404, outsider
        assert "王女士" not in response.get_data(as_text=True)
        for action in ("claim", "unclaim", "comments"):
            assert client.post(f"/tasks/{task_id}/{action}", data={"csrf_token": token(client),
                                                                  "body": "x"}).status_code == 404
        assert client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), **GOOD}).status_code == 404
        auth.logout()
    auth.login("manager_sh001")
    assert client.get("/tasks/999999").status_code == 404


def test_task_page_shows_the_case_as_labelled_values_and_its_history(client, auth, api):
    case = complaint(api)
    task_id = case["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "投诉调查与处理方案" in html and case["business_key"] in html and "王女士投诉" in html
    # "服务" is the category's label, not "service"
    assert "<dt>客户姓名</dt>" in html and "<dt>投诉类别</dt>" in html and "服务" in html
    assert "SH001 · 上海南京路店" in html
    assert "李客服 发起了案件" in html
    # SH001's only manager holds the step already: nothing to claim, the form is hers to fill in
    assert 'id="claim-button"' not in html and "<fieldset disabled>" not in html
    assert 'name="findings"' in html and 'name="resolution_type"' in html
    assert '"customer_name"' not in html  # read-only context is shown, never an input


def test_claim_unclaim_and_someone_elses_task(app, client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    assert client.post(f"/tasks/{task_id}/claim").status_code == 400  # CSRF
    response = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    assert response.status_code == 303 and state_of(app, task_id) == ("open", "manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="unclaim-button"' in html and "<fieldset >" in html
    client.post(f"/tasks/{task_id}/unclaim", data={"csrf_token": token(client)})
    assert state_of(app, task_id) == ("open", None)
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    auth.logout()
    auth.login("franchisee_nj01")
    assert client.get(f"/tasks/{task_id}").status_code == 404


def test_a_wrong_form_is_refused_with_messages_beside_the_fields(app, client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    bad = {**GOOD, "findings": "", "compensation_amount": "很多", "resolution_type": "bribe"}
    response = client.post(f"/tasks/{task_id}",
                           data={"csrf_token": token(client), "action": "complete", **bad})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors(html) == {"f-findings": "此项为必填项。", "f-compensation_amount": "请输入数字。",
                            "f-resolution_type": "请从选项中选择。"}
    assert 'aria-describedby="f-findings-error"' in html and 'aria-invalid="true"' in html
    assert 'id="error-summary"' in html and 'href="#f-findings"' in html
    assert 'value="很多"' in html and "午间人手不足" in html  # what was typed is kept
    assert state_of(app, task_id) == ("open", "manager_sh001")
    negative = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), **{
        **GOOD, "compensation_amount": "-5"}}).get_data(as_text=True)
    assert errors(negative) == {"f-compensation_amount": "不能小于 0。"}


def test_completing_moves_the_case_on(app, client, auth, api):
    case = complaint(api)
    task_id = case["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    assert client.post(f"/tasks/{task_id}", data={"action": "complete", **GOOD}).status_code == 400  # CSRF
    assert state_of(app, task_id)[0] == "open"
    response = client.post(f"/tasks/{task_id}",
                           data={"csrf_token": token(client), "action": "complete", **GOOD})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tasks")
    page = client.get("/tasks").get_data(as_text=True)
    assert "“投诉调查与处理方案”已完成" in page and "下一步：“客户回访”由客服专员处理" in page
    assert state_of(app, task_id) == ("completed", "manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)  # the one who did it still sees it
    assert "此步骤已完成" in html and "张店长 完成了“投诉调查与处理方案”" in html and "午间人手不足" in html
    auth.logout()
    auth.login("cs_wang")
    listed = client.get("/tasks?scope=claimable").get_data(as_text=True)
    follow_up = re.findall(r'data-task-id="(\d+)"', listed)
    assert len(follow_up) == 1
    html = client.get(f"/tasks/{follow_up[0]}").get_data(as_text=True)
    assert "电话致歉，调整排班" in html and "致歉" in html  # the earlier step's answer, with its label


def test_draft_keeps_values_without_completing(app, client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    response = client.post(f"/tasks/{task_id}", data={
        "csrf_token": token(client), "action": "draft",
        "findings": "初步核实中", "compensation_amount": "12.5"})
    assert response.status_code == 303
    assert state_of(app, task_id)[0] == "open"
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "草稿已保存" in html and "初步核实中" in html and 'value="12.5"' in html


def test_another_holder_cannot_complete(app, client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    auth.logout()
    auth.login("supervisor_east")  # may see the case (region EAST) but not work on a store task
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "此步骤由他人处理" in html and 'id="task-form"' not in html
    client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), **GOOD})
    assert state_of(app, task_id) == ("open", "manager_sh001")


def test_comments(client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    assert client.post(f"/tasks/{task_id}/comments", data={"body": "hi"}).status_code == 400  # CSRF
    client.post(f"/tasks/{task_id}/comments", data={"csrf_token": token(client), "body": "已联系顾客"})
    client.post(f"/tasks/{task_id}/comments", data={"csrf_token": token(client), "body": "   "})
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "已联系顾客" in html and "张店长 发表了评论" in html and "请先填写评论内容" in html
