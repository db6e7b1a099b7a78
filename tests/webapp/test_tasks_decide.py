"""One-tap decisions: the form's decision as buttons on the task page (form, phone bar) and on the
task list; a button posts the form's own fields, so completing checks them as it always does."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from engine import Engine
from engine.errors import ConcurrentUpdate
from engine.models import AuditEvent, HumanTask
from webapp.extensions import db

RETURN = {"store_code": "NJ01", "return_type": "overstock", "reason": "积压滞销，申请退回",
          "items": [{"sku": "TS-1001", "name": "圆领T恤", "quantity": 3, "unit_price": 99}]}


def token(client, path: str = "/tasks") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def start_return(api) -> tuple[int, int]:
    """A product return at 客服审核 (two agents: claimable by either): (case id, task id)."""
    response = api.as_("franchisee_nj01").post("/processes/product_return/instances", json={"data": RETURN})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    return case["id"], case["open_tasks"][0]["id"]


def state(app, task_id: int) -> tuple[str, str | None, int]:
    """The task's state and holder, and how many events its case has: a refusal changes none."""
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.instance_id == task.instance_id))
        return task.state, task.assignee.username if task.assignee else None, events


def test_the_list_decides_a_claimable_review_in_one_post(app, client, auth, api):
    case_id, task_id = start_return(api)
    auth.login("cs_li")
    html = client.get("/tasks").get_data(as_text=True)
    form = re.search(rf'<form method="post" action="/tasks/{task_id}" id="decide-{task_id}".*?</form>',
                     html, re.S)
    assert form and 'name="csrf_token"' in form.group(0) and 'name="next" value="/tasks' in form.group(0)
    row = re.search(rf'<tr data-task-id="{task_id}".*?</tr>', html, re.S).group(0)
    # 通过 and 不通过 both need the comment (审核意见 is required): each opens its sheet
    assert f'id="task-{task_id}-choice-true"' in row and f'id="task-{task_id}-choice-false"' in row
    assert f'form="decide-{task_id}"' in row and 'name="_decision_note"' in row and "审核意见" in row
    assert re.search(rf'id="task-{task_id}-choice-true"[^>]*data-meaning="approve"', row)
    assert 'class="btn btn-danger decide-button"' in row  # 不通过, styled as a rejection

    csrf = token(client)
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf, "_decision": "true",
                                                      "_decision_note": "单据齐全，属实",
                                                      "next": "/tasks?scope=todo"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tasks?scope=todo")
    assert state(app, task_id)[:2] == ("completed", "cs_li")  # claimed and completed in the same post
    with app.app_context():
        done = db.session.scalars(select(AuditEvent).where(AuditEvent.task_id == task_id,
                                                           AuditEvent.event_type == "task_completed")).one()
        assert done.data == {"valid": True, "review_comment": "单据齐全，属实"}  # the form's own fields
    page = client.get("/tasks").get_data(as_text=True)
    assert "“客服审核”已完成" in page and f'data-task-id="{task_id}"' not in page
    assert api.as_("merch_zhao").get(f"/process-instances/{case_id}").get_json()["open_tasks"][0][
        "element_id"] == "merchandiser_approval"


def test_a_missing_comment_is_refused_by_name_and_changes_nothing(app, client, auth, api):
    _, task_id = start_return(api)
    auth.login("cs_li")
    before = state(app, task_id)
    csrf = token(client)
    response = client.post(f"/tasks/{task_id}",
                           data={"csrf_token": csrf, "_decision": "false", "next": "/tasks"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-review_comment-error"' in html and "审核意见" in re.search(
        r'id="error-summary".*?</div>', html, re.S).group(0)
    assert state(app, task_id) == before == ("open", None, before[2])  # not claimed, no event

    response = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf, "_decision": "false"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"review_comment"}
    assert response.get_json()["ok"] is False and state(app, task_id) == before


def test_the_list_script_gets_json_and_no_flash(app, client, auth, api):
    _, task_id = start_return(api)
    auth.login("cs_wang")
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "false",
                                                      "_decision_note": "不符合退货政策"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True and body["task_id"] == task_id and "“客服审核”已完成" in body["message"]
    assert state(app, task_id)[:2] == ("completed", "cs_wang")
    assert "“客服审核”已完成" not in client.get("/tasks").get_data(as_text=True)  # nothing flashed


def test_who_may_not_decide(app, client, auth, api):
    _, task_id = start_return(api)
    for outsider, status in (("merch_zhao", 404), ("manager_sh001", 404)):  # no cs_agent role: not shown
        auth.login(outsider)
        assert f'id="decide-{task_id}"' not in client.get("/tasks").get_data(as_text=True)
        response = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "true",
                                                          "_decision_note": "我来批"})
        assert response.status_code == status and state(app, task_id)[:2] == ("open", None)
        auth.logout()
    auth.login("franchisee_nj01")  # the starter follows the case but may not decide it
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "true",
                                                      "_decision_note": "我自己批"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 409 and state(app, task_id)[:2] == ("open", None)
    auth.logout()
    auth.login("cs_wang")  # cs_wang takes it; cs_li, the other agent, may no longer decide it
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    auth.logout()
    auth.login("cs_li")
    assert f'id="decide-{task_id}"' not in client.get("/tasks").get_data(as_text=True)
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "true",
                                                      "_decision_note": "通过"})
    assert response.status_code == 303 and state(app, task_id)[:2] == ("open", "cs_wang")
    response = client.post(f"/tasks/{task_id}", data={"_decision": "true", "_decision_note": "通过"})
    assert response.status_code == 400  # no CSRF token


def test_a_form_with_other_fields_shows_no_list_buttons(client, auth, api):
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "店员态度不好", "amount_claimed": 0}})
    task_id = response.get_json()["open_tasks"][0]["id"]  # 投诉调查与处理方案: findings, plan, amount ...
    auth.login("manager_sh001")
    html = client.get("/tasks").get_data(as_text=True)
    assert f'data-task-id="{task_id}"' in html
    assert 'class="list-decide"' not in html and "cell-decide" not in html and 'name="_decision"' not in html
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="complete-button"' in page and 'id="bar-complete"' in page and 'name="_decision"' not in page


def test_the_task_page_puts_the_choices_in_the_form_and_the_bar(app, client, auth, api):
    case_id, task_id = start_return(api)
    auth.login("cs_li")
    client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "true",
                                           "_decision_note": "属实"})
    approval = api.as_("merch_zhao").get(f"/process-instances/{case_id}").get_json()["open_tasks"][0]["id"]
    auth.logout()
    auth.login("merch_zhao")
    html = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert 'id="complete-button"' not in html and 'id="bar-complete"' not in html
    assert 'name="approved"' not in html  # the buttons stand for the radio
    actions = re.search(r'<div class="form-actions.*?</div>', html, re.S).group(0)
    assert 'id="choice-true"' in actions and 'id="choice-false"' in actions and 'id="draft-button"' in actions
    assert 'data-comment-required="f-merchandiser_comment"' in actions  # 驳回 needs 商品部意见
    bar = re.search(r'<div class="task-bar d-md-none" id="task-bar".*?<div class="dropup', html,
                    re.S).group(0)
    # 批准 decides in one tap; 驳回 opens its comment sheet first, posting the task's own form
    assert re.search(r'<button class="btn btn-success decide-button" type="submit" form="task-form" '
                     r'name="_decision" value="true"\s+id="bar-choice-true"', bar)
    sheet = re.search(r'<details class="decide-sheet" id="bar-sheet-false".*?</details>', bar, re.S).group(0)
    assert 'form="task-form"' in sheet and 'data-mirror="f-merchandiser_comment"' in sheet
    assert "required" in sheet
    assert 'id="bar-confirm-false"' in sheet and "确认驳回" in sheet
    assert 'id="bar-more"' in html and 'src="/static/tasks.js"' in html

    before = state(app, approval)
    csrf = token(client, f"/tasks/{approval}")
    response = client.post(f"/tasks/{approval}", data={"csrf_token": csrf, "_decision": "false",
                                                       "merchandiser_comment": "", "_decision_note": ""})
    assert response.status_code == 422 and state(app, approval) == before
    response = client.post(f"/tasks/{approval}", data={"csrf_token": csrf, "_decision": "false",
                                                       "merchandiser_comment": "",
                                                       "_decision_note": "库存够"})
    assert response.status_code == 303 and state(app, approval)[:2] == ("completed", "merch_zhao")
    case = api.as_("merch_zhao").get(f"/process-instances/{case_id}").get_json()
    assert case["status"] == "completed" and case.get("outcome") == "rejected"


def test_the_api_task_detail_names_the_decision(api):
    _, task_id = start_return(api)
    body = api.as_("cs_li").get(f"/tasks/{task_id}").get_json()
    decision = body["decision"]
    assert decision["field"] == "valid" and decision["comment_field"] == "review_comment" and decision["only"]
    assert [(c["value"], c["title"], c["meaning"], c["comment_required"]) for c in decision["choices"]] == [
        (True, "通过", "approve", True), (False, "不通过", "reject", True)]
    assert api.as_("franchisee_nj01").get(f"/tasks/{task_id}").get_json()["decision"] is None  # may not act
    done = api.as_("cs_li").post(f"/tasks/{task_id}/complete",
                                 json={"data": {"valid": False, "review_comment": "不符合退货政策"}})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "completed"


def test_the_choices_read_in_english(client, auth, api):
    case_id, task_id = start_return(api)
    auth.login("cs_li")
    client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "true",
                                           "_decision_note": "属实"})
    approval = api.as_("merch_zhao").get(f"/process-instances/{case_id}").get_json()["open_tasks"][0]["id"]
    auth.logout()
    auth.login("merch_zhao")
    client.post("/account/language", data={"locale": "en", "next": "/tasks", "csrf_token": token(client)})
    html = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert re.search(r'id="bar-choice-true"[^>]*>.*?Approve</button>', html, re.S)
    assert "Confirm: Reject" in html and "Merchandising comment" in html
    listed = client.get("/tasks").get_data(as_text=True)
    assert ">Decide<" in listed and f'id="task-{approval}-choice-true"' in listed


def test_an_approval_asked_of_me_is_decided_from_the_bar(app, client, auth, api):
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "店员态度不好", "amount_claimed": 0}})
    task_id = response.get_json()["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/add-approvers", data={
        "csrf_token": token(client), "usernames": ["supervisor_east"], "position": "before",
        "reason": "请先看"})
    auth.logout()
    auth.login("supervisor_east")
    with app.app_context():
        approval = db.session.query(HumanTask.id).filter_by(parent_id=task_id, state="open").scalar()
    html = client.get(f"/tasks/{approval}").get_data(as_text=True)
    bar = re.search(r'id="task-bar".*?<div class="dropup', html, re.S).group(0)
    assert 'id="bar-approve"' in bar and 'form="decide-form"' in bar and 'value="approve"' in bar
    assert 'id="bar-sheet-reject"' in bar and 'data-mirror="decision-comment"' in bar and "审批意见" in bar
    assert 'id="decide-form" novalidate' in html

    before = state(app, approval)
    csrf = token(client, f"/tasks/{approval}")
    client.post(f"/tasks/{approval}/decide",
                data={"csrf_token": csrf, "_decision": "reject", "comment": ["", ""]})
    assert state(app, approval) == before  # 不同意 without a comment: refused, nothing changes
    # the bar's choice wins over a chip picked in the form; its comment is the second `comment`
    client.post(f"/tasks/{approval}/decide", data={"csrf_token": csrf, "decision": "approve",
                                                   "_decision": "reject", "comment": ["", "照片不清楚"]})
    with app.app_context():
        row = db.session.get(HumanTask, approval)
        assert (row.state, row.decision, row.comment) == ("completed", "reject", "照片不清楚")


def test_an_approval_asked_of_me_is_decided_from_the_list(app, client, auth, api):
    tasks = []
    for name in ("王女士", "李先生"):
        response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
            "customer_name": name, "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
            "category": "service", "description": "店员态度不好", "amount_claimed": 0}})
        tasks.append(response.get_json()["open_tasks"][0]["id"])
    auth.login("manager_sh001")
    for task_id in tasks:
        client.post(f"/tasks/{task_id}/add-approvers", data={
            "csrf_token": token(client), "usernames": ["supervisor_east"], "position": "before",
            "reason": "请先看"})
    auth.logout()
    auth.login("supervisor_east")
    with app.app_context():
        first, second = (db.session.query(HumanTask.id).filter_by(parent_id=t, state="open").scalar()
                         for t in tasks)
    html = client.get("/tasks?scope=mine").get_data(as_text=True)
    form = re.search(rf'<form method="post" action="/tasks/{first}/decide" id="decide-{first}".*?</form>',
                     html, re.S)
    assert form and 'name="next"' in form.group(0)
    assert f'id="task-{first}-approve"' in html and f'id="task-{first}-sheet-reject"' in html

    csrf = token(client)
    refused = client.post(f"/tasks/{first}/decide", data={"csrf_token": csrf, "decision": "reject"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422 and refused.get_json()["message"] == "不同意时请填写审批意见。"
    assert state(app, first)[0] == "open"
    done = client.post(f"/tasks/{first}/decide", data={"csrf_token": csrf, "decision": "approve"},
                       headers={"Accept": "application/json"})
    assert done.status_code == 200 and done.get_json() == {"ok": True, "message": "你已同意。",
                                                             "task_id": first}
    response = client.post(f"/tasks/{second}/decide", data={"csrf_token": csrf, "decision": "reject",
                                                             "comment": "先补照片",
                                                             "next": "/tasks?scope=mine"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tasks?scope=mine")
    assert state(app, first)[0] == state(app, second)[0] == "completed"



def test_the_second_of_two_agents_deciding_at_once_is_told_and_changes_nothing(app, client, auth, api,
                                                                              monkeypatch):
    _, task_id = start_return(api)
    auth.login("cs_li")
    client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "true",
                                           "_decision_note": "属实"})
    decided = state(app, task_id)
    assert decided[:2] == ("completed", "cs_li")
    auth.logout()
    auth.login("cs_wang")  # had the list open: decided already by the other agent
    late = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), "_decision": "false",
                                                  "_decision_note": "不属实"},
                       headers={"Accept": "application/json"})
    assert late.status_code == 409 and late.get_json()["ok"] is False and state(app, task_id) == decided

    # at the very same moment: storing the case finds its lock version changed (ConcurrentUpdate)
    _, task_id = start_return(api)

    def racing(self, *args, **kwargs):
        raise ConcurrentUpdate("the case changed meanwhile")
    monkeypatch.setattr(Engine, "complete", racing)
    before = state(app, task_id)
    data = {"csrf_token": token(client), "_decision": "true", "_decision_note": "属实"}
    raced = client.post(f"/tasks/{task_id}", data=data, headers={"Accept": "application/json"})
    assert raced.status_code == 409 and raced.get_json()["ok"] is False and state(app, task_id) == before
    raced = client.post(f"/tasks/{task_id}", data=data)
    assert raced.status_code == 303 and raced.headers["Location"].endswith(f"/tasks/{task_id}")
    assert state(app, task_id) == before
