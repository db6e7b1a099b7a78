"""The task page's 加签 / 减签: the holder asks approvers (a people picker, before or after), the
approver opens their approval and decides 同意/不同意 with a comment, the holder takes one off; the
timeline tells each with actor, reason and decision."""
from __future__ import annotations

import re

from engine.models import HumanTask
from webapp.extensions import db

from .test_tasks_page import GOOD, complaint, token


def _claimed(client, auth, api) -> int:
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token(client)})
    return task_id


def _approval_id(app, task_id: int, username: str) -> int:
    with app.app_context():
        rows = db.session.query(HumanTask).filter_by(parent_id=task_id, state="open").all()
        return next(r.id for r in rows if r.assignee.username == username)


def test_ask_before_decide_and_see_it_in_the_timeline(app, client, auth, api):
    task_id = _claimed(client, auth, api)
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="move-add_approvers"' in html and 'id="move-remove_approver"' not in html
    assert re.search(r'<option value="supervisor_east">[^<]*\(supervisor_east\)</option>', html)
    assert '<option value="manager_sh001">' not in html  # not oneself
    response = client.post(f"/tasks/{task_id}/add-approvers", data={
        "csrf_token": token(client), "usernames": ["supervisor_east"], "position": "before",
        "reason": "金额较大，请主管先看"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已加签" in html and 'id="approval-waiting"' in html and 'id="complete-button"' not in html
    assert "请 何主管 先审批" in html and "金额较大，请主管先看" in html  # the timeline, reason inline
    # completing anyway is refused, the form says why
    refused = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), **GOOD},
                          follow_redirects=True)
    assert refused.status_code == 200
    auth.logout()

    auth.login("supervisor_east")
    approval = _approval_id(app, task_id, "supervisor_east")
    listed = client.get("/tasks?scope=mine").get_data(as_text=True)
    assert f'href="/tasks/{approval}"' in listed and "加签审批" in listed
    html = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert 'id="decide-form"' in html and "张店长 请你审批此步骤" in html
    assert 'id="complete-button"' not in html
    missing = client.post(f"/tasks/{approval}/decide",
                          data={"csrf_token": token(client), "decision": "reject"},
                          follow_redirects=True).get_data(as_text=True)
    assert "不同意时请填写审批意见" in missing
    done = client.post(f"/tasks/{approval}/decide", data={
        "csrf_token": token(client), "decision": "reject", "comment": "照片不清楚"}, follow_redirects=True)
    assert "你已选择不同意" in done.get_data(as_text=True)
    auth.logout()

    auth.login("manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="approval-rejected"' in html and "照片不清楚" in html and 'id="complete-button"' in html
    assert "何主管 不同意“投诉调查与处理方案”，退回给 张店长" in html
    with app.app_context():
        case_id = db.session.get(HumanTask, task_id).instance_id
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "何主管 不同意“投诉调查与处理方案”，退回给 张店长" in html and "照片不清楚" in html


def test_ask_after_remove_and_who_may_not(app, client, auth, api):
    task_id = _claimed(client, auth, api)
    client.post(f"/tasks/{task_id}/add-approvers", data={
        "csrf_token": token(client), "usernames": ["supervisor_east", "director"], "position": "after",
        "reason": "请复核"})
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="move-remove_approver"' in html and "步骤完成后审批" in html
    done = client.post(f"/tasks/{task_id}/remove-approver", data={
        "csrf_token": token(client), "username": "director", "reason": ""}, follow_redirects=True)
    assert "已减签" in done.get_data(as_text=True)
    submitted = client.post(f"/tasks/{task_id}", data={"csrf_token": token(client), **GOOD},
                            follow_redirects=True).get_data(as_text=True)
    assert "已提交，等待你加签的审批人审批" in submitted and "待 supervisor_east 审批" in submitted
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "你已提交此步骤，等待 何主管 审批" in html and "店员确实未及时接待" in html
    with app.app_context():
        case_id = db.session.get(HumanTask, task_id).instance_id
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "张店长 提交了“投诉调查与处理方案”，等待 何主管 审批" in html
    auth.logout()

    auth.login("director")  # taken off: sees the case (supervises it), may not decide nor ask
    approval = _approval_id(app, task_id, "supervisor_east")
    refused = client.post(f"/tasks/{approval}/decide",
                          data={"csrf_token": token(client), "decision": "approve"},
                          follow_redirects=True).get_data(as_text=True)
    assert "只有本步骤的办理人可以这样做" in refused
    refused = client.post(f"/tasks/{task_id}/add-approvers", data={
        "csrf_token": token(client), "usernames": ["cs_li"], "position": "before", "reason": "x"},
        follow_redirects=True).get_data(as_text=True)
    assert "只有本步骤的办理人可以这样做" in refused
    auth.logout()

    auth.login("supervisor_east")
    html = client.get(f"/tasks/{approval}").get_data(as_text=True)
    assert "店员确实未及时接待" in html  # what the holder submitted
    client.post(f"/tasks/{approval}/decide", data={"csrf_token": token(client), "decision": "approve",
                                                   "comment": "同意处理方案"})
    with app.app_context():
        assert db.session.get(HumanTask, task_id).state == "completed"
    auth.logout()
    auth.login("manager_sh001")
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "何主管 同意“投诉调查与处理方案”" in html and "同意处理方案" in html


def test_outsiders_cannot_reach_the_moves(client, auth, api):
    task_id = complaint(api)["open_tasks"][0]["id"]
    auth.login("manager_sh002")
    for action in ("add-approvers", "remove-approver", "decide"):
        response = client.post(f"/tasks/{task_id}/{action}", data={"csrf_token": token(client)})
        assert response.status_code == 404
