"""The timeline names what was decided at a step, the amounts it decided on and the comment, without
opening the entered values; in Chinese and in English."""
from __future__ import annotations

import re

import pytest

from webapp.ui.case_text import DecisionPart, decision_line, decision_parts

APPROVAL = {"properties": {
    "store_code": {"type": "string", "title": "门店编码", "readOnly": True},
    "approved": {"type": "boolean", "title": "审批结果",
                 "oneOf": [{"const": True, "title": "通过"}, {"const": False, "title": "驳回"}]},
    "director_comment": {"type": "string", "title": "审批意见"},
}}
FIGURES = {"properties": {"quantity": {"type": "integer", "title": "数量"}}}


@pytest.fixture
def zh(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        yield


def test_decision_and_comment_in_one_line(zh):
    line = decision_line(APPROVAL, {"store_code": "SH001", "approved": False, "director_comment": "预算超标"})
    assert line == "审批结果 驳回 · 审批意见：预算超标"


def test_a_read_only_choice_is_not_the_decision_and_no_comment_is_left_out(zh):
    assert decision_line(APPROVAL, {"store_code": "SH001", "approved": True}) == "审批结果 通过"


def test_a_form_of_figures_has_no_decision_line(zh):
    assert decision_line(FIGURES, {"quantity": 3}) == ""
    assert decision_line(None, {"approved": True}) == ""


MONEY = {"properties": {
    "amount_claimed": {"type": "number", "title": "索赔金额（元）", "readOnly": True},
    "approved": {"type": "boolean", "title": "审批结果",
                 "oneOf": [{"const": True, "title": "批准"}, {"const": False, "title": "驳回"}]},
    "approval_comment": {"type": "string", "title": "审批意见"},
}}


def test_the_parts_say_approve_or_reject_and_take_a_shown_amount_from_the_earlier_data(zh):
    parts = decision_parts(MONEY, {"approved": False, "approval_comment": "金额过高"},
                           {"amount_claimed": 1399.5})
    assert parts == (DecisionPart("choice", "审批结果", "驳回", "reject"),
                     DecisionPart("money", "索赔金额（元）", "¥1,399.50"),
                     DecisionPart("comment", "审批意见", "金额过高"))
    assert decision_parts(MONEY, {"approved": True}, {"amount_claimed": 0}) == (
        DecisionPart("choice", "审批结果", "批准", "approve"),)  # no amount of nothing
    line = decision_line(MONEY, {"approved": True}, {"amount_claimed": 20})
    assert line == "审批结果 批准 · 索赔金额（元） ¥20.00"


def test_a_pass_or_fail_choice_has_its_tone_and_other_choices_none(zh):
    inspection = {"properties": {"inspection_result": {"type": "string", "title": "检验结论", "oneOf": [
        {"const": "pass", "title": "全部合格"}, {"const": "partial", "title": "部分合格"},
        {"const": "fail", "title": "不合格"}]}}}
    tones = [decision_parts(inspection, {"inspection_result": value})[0].tone
             for value in ("pass", "partial", "fail")]
    assert tones == ["approve", "", "reject"]


def _timeline_entry(client, case_id: int, event: str, step_text: str, language: str) -> str:
    html = client.get(f"/cases/{case_id}", headers={"Accept-Language": language}).get_data(as_text=True)
    entries = re.findall(rf'<li class="timeline-item" data-event="{event}">(.*?)</li>', html, re.S)
    [entry] = [e for e in entries if step_text in e]
    return re.sub(r"\s+", " ", entry)


@pytest.fixture
def rejected(api):
    """A complaint whose 赔付审批 (compensation above the approval line) was refused with a comment."""
    from tests.webapp.test_api_tasks import INVESTIGATION, only_task, start

    case = start(api)
    investigation = {**INVESTIGATION, "resolution_type": "compensation", "compensation_amount": 1399.5}
    done = api.as_("manager_sh001").post(f"/tasks/{only_task(case)['id']}/complete",
                                         json={"data": investigation})
    assert done.status_code == 200, done.get_json()
    [approval] = [t for t in done.get_json()["open_tasks"] if t["element_id"] == "compensation_approval"]
    refused = api.as_("cs_manager").post(f"/tasks/{approval['id']}/complete",
                                         json={"data": {"approved": False,
                                                        "approval_comment": "金额过高，请重新协商"}})
    assert refused.status_code == 200, refused.get_json()
    return case


def test_the_case_page_shows_the_decision_its_amount_and_comment_in_chinese(rejected, auth, client):
    auth.login("cs_li")
    approval = _timeline_entry(client, rejected["id"], "task_completed", "赔付审批", "zh-CN")
    assert re.search(r'class="decision-choice tone-reject" data-tone="reject">'
                     r'<span class="decision-label">审批结果</span> 驳回</span>', approval)
    assert '<span class="decision-label">赔付金额（元）</span> <span class="num">¥1,399.50</span>' in approval
    assert '<span class="decision-label">审批意见</span> 金额过高，请重新协商</div>' in approval
    investigation = _timeline_entry(client, rejected["id"], "task_completed", "投诉调查", "zh-CN")
    assert '<span class="decision-label">处理方式</span> 补偿</span>' in investigation
    assert '<span class="num">¥1,399.50</span>' in investigation


def test_the_case_page_shows_the_decision_in_english(rejected, auth, client):
    auth.login("cs_li")
    from tests.webapp.test_i18n import switch

    assert switch(client, "en").status_code == 303
    approval = _timeline_entry(client, rejected["id"], "task_completed", "Approve compensation", "en")
    assert 'data-tone="reject"><span class="decision-label">Decision</span> Reject</span>' in approval
    assert '<span class="num">CN¥1,399.50</span>' in approval
    assert "金额过高，请重新协商</div>" in approval  # what was typed stays as typed


def test_the_case_page_shows_the_decision_inline(api, auth, client):
    from tests.webapp.test_api_tasks import INVESTIGATION, only_task, start

    case = start(api)
    task = only_task(case)
    done = api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION})
    assert done.status_code == 200
    auth.login("cs_li")
    entry = _timeline_entry(client, case["id"], "task_completed", "投诉调查", "zh-CN")
    assert '<span class="decision-label">处理方式</span> 致歉</span>' in entry
    assert "decision-amount" not in entry  # a compensation of 0 is no amount to show
